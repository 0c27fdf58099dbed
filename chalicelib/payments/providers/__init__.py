"""Payment processors behind one port (`base.PaymentProvider`)."""
