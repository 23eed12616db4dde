"""Service orders for agencies and experts: request, quote, order, delivery, acceptance, payment, contract."""
