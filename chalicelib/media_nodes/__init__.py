"""Media nodes: the SFU fleet's registry, room placement, and the contract both sides share."""
