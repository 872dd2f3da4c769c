"""Certificate requests: submit, resubmit, review, list, watch."""
