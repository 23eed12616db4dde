"""创新券 (innovation vouchers): programmes with a budget, vouchers of organisations, redemptions on services."""
