"""VetPet media core: a packet-forwarding SFU on aiortc, entered with the API's room token."""
