"""One integration, written against the Python client that openapi-python-client generated from
openapi/openapi.json, unmodified: an admin creates an API token; with it the integration registers
a webhook on a loopback receiver that checks every signature, opens a ticket twice with one
Idempotency-Key (one ticket), comments, uploads a file, pages through the tickets with the cursor,
and receives the webhooks for all of it.

Run by tests/e2e/clients.rs with BASE_URL, ADMIN_LOGIN and ADMIN_PASSWORD set and the generated
package on PYTHONPATH.
"""

import base64
import hashlib
import hmac
import http.server
import io
import json
import os
import threading
import time

from helpdesk_api_client import AuthenticatedClient, Client
from helpdesk_api_client.api.api_tokens import create_api_token
from helpdesk_api_client.api.attachments import upload_attachments
from helpdesk_api_client.api.auth import login
from helpdesk_api_client.api.tickets import create_comment, create_ticket, list_tickets
from helpdesk_api_client.api.webhooks import create_webhook
from helpdesk_api_client.models import (
    AttachmentUpload,
    ClientKind,
    CreateApiToken,
    CreateComment,
    CreateTicket,
    EventType,
    LoginRequest,
    Scope,
    WebhookInput,
)
from helpdesk_api_client.types import UNSET, File

BASE_URL = os.environ["BASE_URL"]


class Receiver(http.server.BaseHTTPRequestHandler):
    """Accepts deliveries whose Standard Webhooks signature is valid; 401 otherwise."""

    secret = b""
    events: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        signed = f"{self.headers['Webhook-Id']}.{self.headers['Webhook-Timestamp']}.".encode() + body
        expected = base64.b64encode(hmac.new(self.secret, signed, hashlib.sha256).digest()).decode()
        valid = any(hmac.compare_digest(s, f"v1,{expected}") for s in self.headers["Webhook-Signature"].split())
        if valid:
            Receiver.events.append(json.loads(body))
        self.send_response(200 if valid else 401)
        self.end_headers()

    def log_message(self, *args):
        pass


def ok(response, status):
    assert response.status_code == status, f"{response.status_code}: {response.content!r}"
    return response.parsed


def main():
    anonymous = Client(base_url=BASE_URL)
    session = ok(
        login.sync_detailed(
            client=anonymous,
            body=LoginRequest(login=os.environ["ADMIN_LOGIN"], password=os.environ["ADMIN_PASSWORD"], client=ClientKind.API),
        ),
        200,
    )
    admin = AuthenticatedClient(base_url=BASE_URL, token=session.access_token)
    scopes = [Scope.TICKETSREAD, Scope.TICKETSWRITE, Scope.COMMENTSWRITE, Scope.WEBHOOKSMANAGE]
    created = ok(create_api_token.sync_detailed(client=admin, body=CreateApiToken(name="CRM sync", scopes=scopes)), 201)
    assert created.secret.startswith("hd_")
    integration = AuthenticatedClient(base_url=BASE_URL, token=created.secret)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    events = [EventType.TICKET_CREATED, EventType.COMMENT_CREATED, EventType.ATTACHMENT_CREATED]
    hook = ok(
        create_webhook.sync_detailed(
            client=integration,
            body=WebhookInput(url=f"http://127.0.0.1:{server.server_address[1]}/hook", event_types=events),
        ),
        201,
    )
    Receiver.secret = base64.b64decode(hook.secret.removeprefix("whsec_"))

    ticket_body = CreateTicket(subject="Printer on floor 3 is offline", description="Reported by the monitoring system.")
    first = ok(create_ticket.sync_detailed(client=integration, body=ticket_body, idempotency_key="monitor-4711"), 201)
    again = create_ticket.sync_detailed(client=integration, body=ticket_body, idempotency_key="monitor-4711")
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true", again
    assert again.parsed.id == first.id, "a retried POST with the same key must not create a second ticket"

    comment = ok(
        create_comment.sync_detailed(first.id, client=integration, body=CreateComment(body="Restarted the spooler.")), 201
    )
    assert comment.body == "Restarted the spooler."
    log = File(payload=io.BytesIO(b"spooler restarted at 10:02\n"), file_name="spooler.txt", mime_type="text/plain")
    files = ok(upload_attachments.sync_detailed(first.id, client=integration, body=AttachmentUpload(file=[log])), 201)
    assert [f.filename for f in files] == ["spooler.txt"]

    for n in range(3):
        ok(create_ticket.sync_detailed(client=integration, body=CreateTicket(subject=f"Paging {n}", description="x")), 201)
    seen, cursor = [], UNSET
    while True:
        page = ok(list_tickets.sync_detailed(client=integration, limit=2, cursor=cursor), 200)
        seen += [t.id for t in page.items]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == 4 and len(set(seen)) == 4 and first.id in seen, seen

    deadline = time.time() + 30
    while time.time() < deadline and len(Receiver.events) < 6:
        time.sleep(0.2)
    def ticket_of(event):
        return event["data"]["ticket"]["id"] if "ticket" in event["data"] else event["data"].get("ticket_id")

    # In order per ticket.
    kinds = [e["type"] for e in Receiver.events if ticket_of(e) == first.id]
    assert kinds == ["ticket.created", "comment.created", "attachment.created"], Receiver.events
    assert len([e for e in Receiver.events if e["type"] == "ticket.created"]) == 4, Receiver.events
    print(f"python client: ticket {first.number}, {len(seen)} tickets paged, {len(Receiver.events)} webhooks verified")


if __name__ == "__main__":
    main()
