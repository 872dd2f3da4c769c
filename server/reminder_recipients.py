"""GET/POST /reminder-recipients/confirm: the link emailed to an extra reminder recipient.

GET shows a button, POST confirms: a mail scanner that follows links confirms nothing.
"""

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from notifications.rendering import escape_html
from services.dependencies import Dependencies
from services.reminder_settings import confirm_recipient


class RecipientConfirmation:
    """The route's endpoint (`confirm`); the token in the link is the only credential."""

    def __init__(self, deps: Dependencies) -> None:
        self.deps = deps

    async def confirm(self, request: Request) -> Response:
        token = request.query_params.get("token", "")
        if request.method == "GET":
            if not token or len(token) > 100:
                return HTMLResponse(_page("El enlace no es válido."), status_code=404)
            return HTMLResponse(
                _page(
                    "Confirma que quieres recibir los avisos de vencimiento del certificado "
                    "digital.",
                    form_token=token,
                )
            )
        recipient = await confirm_recipient(token, self.deps.clock.now())
        if recipient is None:
            return HTMLResponse(
                _page("El enlace no es válido o el destinatario ya fue eliminado."),
                status_code=404,
            )
        return HTMLResponse(_page(f"Listo: {recipient.email} recibirá los avisos de vencimiento."))


def _page(message: str, form_token: str | None = None) -> str:
    form = ""
    if form_token is not None:
        form = (
            f'<form method="post" action="?token={quote(form_token)}">'
            '<button type="submit">Confirmar mi correo</button></form>'
        )
    return (
        '<!doctype html><html lang="es-CO"><head><meta charset="utf-8">'
        "<title>Avisos de vencimiento</title></head>"
        f"<body><p>{escape_html(message)}</p>{form}</body></html>"
    )
