"""The inputs of the companies' mutations."""

import strawberry


@strawberry.input
class UpdatePrincipalContactInput:
    name: str
    email: str
    company_id: strawberry.ID | None = None
