"""Payments by redirect to a processor (Stripe, LiqPay): checkouts, verified webhooks,
refunds by rule. Card data never reaches VetPet (P15)."""
