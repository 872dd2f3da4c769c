"""Certificate requests («solicitudes»): types, inputs, payloads and their root fields."""
