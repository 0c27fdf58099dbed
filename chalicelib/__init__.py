"""VetPet's Lambda code: one package per capability."""

__version__ = "0.1.0"
