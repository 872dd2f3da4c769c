"""Companies: tracking, principal contact, their certificates and requests."""
