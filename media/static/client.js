// VetPet media client: joins a room on the SFU; the server sends offers, we answer.
"use strict";

(function () {
  const state = { pc: null, ws: null, messages: [], tracks: {}, recording: "off" };

  // What the server says about the room's recording, shown to every participant.
  const RECORDING_TEXT = {
    started: "Recording",
    stopped: "Recording stopped",
    saved: "Recording saved",
    failed: "The recording could not be saved",
    refused: "Recording is not possible",
  };

  function showRecording(message) {
    state.recording = message.state;
    const label = document.getElementById("recording-state");
    const why = message.reason ? ` (${message.reason})` : "";
    label.textContent = (RECORDING_TEXT[message.state] || message.state) + why;
    label.classList.toggle("on", message.state === "started");
    const button = document.getElementById("record");
    button.textContent = message.state === "started" ? "Stop recording" : "Start recording";
  }

  function record(action) {
    state.ws.send(JSON.stringify({ type: "record", action }));
  }

  // Plays a playback link (`POST /v1/recordings/{id}/playback` answers it); the media
  // server decrypts on the fly and serves byte ranges, so the player can seek.
  function play(url) {
    const video = document.getElementById("recording");
    video.src = url;
    return video.play();
  }

  function playing() {
    const video = document.getElementById("recording");
    return {
      currentTime: video.currentTime, readyState: video.readyState,
      videoWidth: video.videoWidth, error: video.error && video.error.code,
    };
  }

  function iceGatheringComplete(pc) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      pc.addEventListener("icegatheringstatechange", () => {
        if (pc.iceGatheringState === "complete") resolve();
      });
    });
  }

  async function answer(pc, ws, stream, offer) {
    Object.assign(state.tracks, offer.tracks);
    await pc.setRemoteDescription({ type: "offer", sdp: offer.sdp });
    for (const transceiver of pc.getTransceivers()) {
      const kind = Object.keys(offer.publish).find((k) => offer.publish[k] === transceiver.mid);
      if (kind && !transceiver.sender.track) {
        await transceiver.sender.replaceTrack(stream.getTracks().find((t) => t.kind === kind));
        transceiver.direction = "sendonly";
      }
    }
    await pc.setLocalDescription(await pc.createAnswer());
    await iceGatheringComplete(pc);
    ws.send(JSON.stringify({ type: "answer", sdp: pc.localDescription.sdp }));
  }

  function show(event) {
    if (event.track.kind !== "video") return;
    const video = document.createElement("video");
    video.autoplay = true;
    video.muted = true;
    video.playsInline = true;
    video.srcObject = new MediaStream([event.track]);
    document.getElementById("videos").appendChild(video);
  }

  // `iceServers` and `signallingUrl` come from the API's room answer (`ice_servers`,
  // `signalling_url`); `iceTransportPolicy: "relay"` forces TURN.
  async function join({ room, token, password, iceServers, iceTransportPolicy, signallingUrl }) {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: true,
      video: { width: 640, height: 480, frameRate: 30 },
    });
    document.getElementById("local").srcObject = stream;
    const pc = new RTCPeerConnection({
      bundlePolicy: "max-bundle",
      iceServers: iceServers || [],
      iceTransportPolicy: iceTransportPolicy || "all",
    });
    pc.ontrack = show;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const ws = new WebSocket(
      signallingUrl || `${scheme}://${location.host}/rooms/${encodeURIComponent(room)}/ws`,
    );
    state.pc = pc;
    state.ws = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: "join", token, password: password || null }));
    ws.onmessage = async (event) => {
      const message = JSON.parse(event.data);
      state.messages.push(message);
      if (message.type === "offer") await answer(pc, ws, stream, message);
      if (message.type === "joined") document.getElementById("record").disabled = false;
      if (message.type === "recording") showRecording(message);
    };
  }

  async function stats() {
    const result = {
      inbound: [], outbound: [], messages: state.messages.map((m) => m.type), pairs: [],
    };
    if (!state.pc) return result;
    const report = await state.pc.getStats();
    report.forEach((s) => {
      if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
        const local = report.get(s.localCandidateId);
        result.pairs.push({ localType: local && local.candidateType, bytesSent: s.bytesSent });
      }
      if (s.type === "inbound-rtp") {
        result.inbound.push({
          kind: s.kind, mid: s.mid, framesDecoded: s.framesDecoded || 0,
          packetsReceived: s.packetsReceived, packetsLost: s.packetsLost,
        });
      } else if (s.type === "outbound-rtp") {
        result.outbound.push({ kind: s.kind, framesSent: s.framesSent || 0, packetsSent: s.packetsSent });
      }
    });
    return result;
  }

  window.vetpet = {
    join, stats, record, play, playing, recordingState: () => state.recording,
    messages: () => state.messages,
  };
  document.getElementById("record").addEventListener("click", () => {
    record(state.recording === "started" ? "stop" : "start");
  });
  document.getElementById("playback").addEventListener("submit", (event) => {
    event.preventDefault();
    play(document.getElementById("playback-url").value);
  });
  document.getElementById("join").addEventListener("submit", (event) => {
    event.preventDefault();
    join({
      room: document.getElementById("room").value,
      token: document.getElementById("token").value,
      password: document.getElementById("password").value,
    });
  });
})();
