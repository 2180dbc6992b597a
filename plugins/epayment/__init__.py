"""Built-in plugin: e-payment (ePayBL, pmPayment), payments, reconciliation, booking export."""
