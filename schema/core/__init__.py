"""What every GraphQL domain shares: the Node interface, the contract's enums, errors as data
and the guard that turns a domain refusal into a payload's `errors` or a public error."""
