"""Descriptions of the schema's types, fields, arguments and enum values, for developers (English;
what people read stays Spanish). Applied to the built schema where the code gives none, so that
introspection, GraphiQL and schema.graphql document every element; a test fails on any element
left without one (tests/schema/test_descriptions.py).

Keys: "Type", "Type.field", "Type.field(argument)", "Enum.VALUE".
"""

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)

PAYLOAD_ERRORS = (
    "Why the mutation changed nothing: empty on success. Codes are stable, messages Spanish."
)
FIRST = "Page size (at most 100)."
AFTER = "The `endCursor` of the previous page."

#: RFC 3339, with the rule this API keeps about offsets.
SPECIFIED_BY = {
    "DateTime": "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
    "Date": "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
    "Upload": "https://github.com/jaydenseric/graphql-multipart-request-spec",
}
SCALARS = {
    "DateTime": "An instant, as an RFC 3339 `date-time` with its UTC offset "
    "(`2026-11-24T15:00:00+00:00`). Answers always carry the offset; send one in inputs too.",
    "Date": "A calendar date, as an RFC 3339 `full-date` (`2026-11-24`), in Colombia's calendar.",
    "Upload": "A file of a multipart request (GraphQL multipart request spec): "
    "PDF, JPEG or PNG within the size limit.",
}

DESCRIPTIONS: dict[str, str] = {
    # Integrations (webhooks, coverage, reminders): docs/integrations.md
    "EmailKind.WEBHOOK_ENDPOINT_DISABLED": "A webhook endpoint was disabled after failing; sent "
    "to OPERATOR_EMAIL.",
    "EmailKind.REMINDER_RECIPIENT_CONFIRMATION": "An extra reminder recipient is asked to confirm "
    "the address.",
    "CertificateCoverageReason.NO_CERTIFICATE": "The company has no certificate covering the date.",
    "CertificateCoverageReason.INACTIVE": "The certificate is INACTIVE (suspended).",
    "CertificateCoverageReason.REVOKED": "The certificate was revoked.",
    "CertificateCoverageReason.EXPIRED": "The certificate has expired by that date.",
    "CertificateCoverageReason.NOT_YET_STARTED": "The certificate starts after that date.",
    "ReminderChannel.EMAIL": "Reminders by email only.",
    "ReminderChannel.WEBHOOK": "Reminders as webhook events only.",
    "ReminderChannel.BOTH": "Reminders by email and as webhook events.",
    "WebhookEventType.REQUEST_SUBMITTED": "A request was submitted.",
    "WebhookEventType.REQUEST_REJECTED": "A request was rejected, with observations.",
    "WebhookEventType.REQUEST_RESUBMITTED": "A rejected request was corrected and resubmitted.",
    "WebhookEventType.REQUEST_WITHDRAWN": "A request was withdrawn (by the company or the job).",
    "WebhookEventType.REQUEST_APPROVED": "A request was approved and its certificate issued.",
    "WebhookEventType.CERTIFICATE_STARTED": "An ISSUED certificate reached its validFrom.",
    "WebhookEventType.CERTIFICATE_STATE_CHANGED": "A certificate changed status.",
    "WebhookEventType.CERTIFICATE_RENEWAL_OPEN": "A certificate entered its renewal window.",
    "WebhookEventType.CERTIFICATE_REMINDER": "An expiry reminder (REMINDER_DAYS).",
    "WebhookEventType.CERTIFICATE_EXPIRED": "A certificate expired.",
    "WebhookDeliveryStatus.PENDING": "Not delivered yet; attempts go on with backoff.",
    "WebhookDeliveryStatus.SUCCEEDED": "The endpoint answered 2xx.",
    "WebhookDeliveryStatus.FAILED": "Given up after the last attempt.",
    "Mutation.updateReminderSettings(input)": "The company and its reminder choices.",
    "Mutation.addReminderRecipient(input)": "The company and the address to confirm.",
    "Mutation.removeReminderRecipient(input)": "The recipient to remove.",
    "Mutation.registerWebhookEndpoint(input)": "The https URL, the events and, for admins, the "
    "company.",
    "Mutation.setWebhookEndpointEnabled(input)": "The endpoint and whether it receives events.",
    "Mutation.redeliverWebhook(input)": "The delivery to send again.",
    # Roots
    "Query": "Reads. Every field needs a token (`Authorization: Bearer …`).",
    "Mutation": "Changes. Each returns a payload whose `errors` list explains a refusal as data.",
    "Subscription": "Live updates over WebSocket (graphql-transport-ws or graphql-ws), "
    "authenticated in `connection_init`.",
    "Query.node": "Any object by its global id; null when it does not exist or is not visible.",
    "Query.node(id)": "A global id, as returned in `id` fields.",
    "Query.viewer": "The caller: user and, for customers, their company.",
    "Query.certificateTracking(companyId)": "The company to show; customers omit it (their own).",
    "Query.certificateRequests": "Requests visible to the caller, newest first: a customer's "
    "own company's; every company's for reviewers and admins.",
    "Query.certificateRequests(first)": FIRST,
    "Query.certificateRequests(after)": AFTER,
    "Query.certificateRequests(status)": "Only requests in this status.",
    "Query.certificateRequests(companyId)": "Reviewers and admins: only this company's requests.",
    "Query.outboxEmails(status)": "Only emails in this delivery status.",
    "Query.outboxEmails(first)": "How many, newest first.",
    "Mutation.submitCertificateRequest": "A customer requests a certificate (new or renewal) "
    "with its documents, as a multipart upload.",
    "Mutation.submitCertificateRequest(input)": "The documents and the legal representative.",
    "Mutation.resubmitCertificateRequest": "A customer answers a rejection with corrected "
    "documents; the request goes back to review.",
    "Mutation.resubmitCertificateRequest(input)": "The rejected request and its new documents.",
    "Mutation.withdrawCertificateRequest": "A customer gives up its rejected request: it becomes "
    "WITHDRAWN («Desistida»), final, and the contact is emailed. The server does the same after "
    "AUTO_WITHDRAW_DAYS without a correction.",
    "Mutation.withdrawCertificateRequest(input)": "The rejected request and why it is withdrawn.",
    "Mutation.rejectCertificateRequest": "A reviewer rejects a request in review, with "
    "observations the customer reads.",
    "Mutation.rejectCertificateRequest(input)": "The request and the observations.",
    "Mutation.approveCertificateRequest": "A reviewer completes a request: the certificate is "
    "issued with its serial number and validity.",
    "Mutation.approveCertificateRequest(input)": "The request and the issued certificate's data.",
    "Mutation.changeCertificateState": "An admin activates, deactivates or revokes a certificate.",
    "Mutation.changeCertificateState(input)": "The certificate, its new status and the reason.",
    "Mutation.updatePrincipalContact": "Changes the company's principal contact, who receives "
    "the emails.",
    "Mutation.updatePrincipalContact(input)": "The new contact.",
    "Mutation.retryOutboxEmail(input)": "The failed email to send again.",
    "Subscription.certificateRequestStatusChanged": "Each status change of a request the "
    "caller may see.",
    "Subscription.certificateRequestStatusChanged(requestId)": "Only this request's changes.",
    "Subscription.certificateStatusChanged": "Each status change of a certificate the caller "
    "may see.",
    "Subscription.certificateStatusChanged(certificateId)": "Only this certificate's changes.",
    # Relay
    "Node": "An object with a global id, fetchable with `node(id:)`.",
    "Node.id": "The global id: opaque, stable, unique across types.",
    "PageInfo": "Where a page of a connection sits (Relay cursor connections).",
    "PageInfo.hasNextPage": "Whether a page follows this one.",
    "PageInfo.hasPreviousPage": "Whether a page precedes this one.",
    "PageInfo.startCursor": "The cursor of the first edge; null on an empty page.",
    "PageInfo.endCursor": "The cursor of the last edge: pass it as `after` for the next page.",
    "CertificateRequestConnection": "A page of certificate requests.",
    "CertificateRequestConnection.edges": "The requests of this page, with their cursors.",
    "CertificateRequestConnection.pageInfo": "Where this page sits.",
    "CertificateRequestConnection.totalCount": "How many requests match, over every page.",
    "CertificateRequestEdge": "A request in a page, with its cursor.",
    "CertificateRequestEdge.cursor": "Opaque position of this request in the list.",
    "CertificateRequestEdge.node": "The request.",
    # People and companies
    "Viewer.user": "The authenticated user.",
    "Viewer.company": "The customer's company; null for reviewers and admins.",
    "User.id": "Global id.",
    "User.email": "Login email, unique.",
    "User.name": "Full name, as shown to people.",
    "User.role": "What the user may do.",
    "User.company": "The customer's company; null for reviewers and admins.",
    "Actor.name": "Who made the change, as shown to people.",
    "Actor.role": "The role they acted in.",
    "Company.id": "Global id.",
    "Company.legalName": "Legal name (razón social).",
    "Company.personType": "Legal entity or natural person: decides the documents required.",
    "Company.principalContact": "Who receives the company's emails.",
    "Company.tracking": "The tracking screen of this company.",
    "Company.certificateRequests": "This company's requests, newest first.",
    "Company.certificateRequests(first)": FIRST,
    "Company.certificateRequests(after)": AFTER,
    "Company.certificateRequests(status)": "Only requests in this status.",
    "Contact.name": "Full name.",
    "Contact.email": "Email address the notifications go to.",
    "CertificateTracking.company": "The company tracked.",
    "CertificateTracking.latestRequest": "The most recent request, whatever its status.",
    "CertificateTracking.notices": "What the screen should tell the customer now (Spanish).",
    "CertificateTracking.canSubmitRequest": "Whether a new or renewal request may be submitted "
    "now.",
    "Notice.code": "Stable code of the notice, for the front end's logic.",
    "Notice.message": "The notice for people, in Spanish.",
    "Notice.redirectToTracking": "Whether the front end should take the customer to tracking.",
    # Requests
    "CertificateRequest.id": "Global id.",
    "CertificateRequest.kind": "New certificate or renewal.",
    "CertificateRequest.status": "Where the request stands.",
    "CertificateRequest.legalRepresentative": "The legal representative declared.",
    "CertificateRequest.decidedAt": "When it was approved or last rejected; null while in review.",
    "CertificateRequest.company": "The requesting company.",
    "CertificateRequest.history": "Every status change, oldest first.",
    "CertificateRequestStatusChange": "A status change of a request: the history and the "
    "subscription's event.",
    "CertificateRequestStatusChange.toStatus": "The status entered.",
    "CertificateRequestStatusChange.at": "When.",
    "CertificateRequestStatusChange.actor": "Who made it.",
    "CertificateRequestStatusChange.note": "Observations or note given with it, if any.",
    "CertificateRequestStatusChange.request": "The request changed.",
    "LegalRepresentative": "The company's legal representative on a request.",
    "LegalRepresentative.name": "Full name.",
    "LegalRepresentative.idType": "Kind of identity document.",
    "LegalRepresentative.idNumber": "Identity document number.",
    "RequestDocument.id": "Global id.",
    "RequestDocument.kind": "Which document it is.",
    "RequestDocument.fileName": "The file name as uploaded.",
    "RequestDocument.sizeBytes": "Size in bytes.",
    "RequestDocument.sha256": "SHA-256 of the content, hex.",
    "RequestDocument.uploadedAt": "When it was uploaded.",
    # Certificates
    "Certificate.id": "Global id.",
    "Certificate.serialNumber": "Serial number given by the certification authority.",
    "Certificate.issuer": "The certification authority.",
    "Certificate.status": "Current status.",
    "Certificate.validFrom": "Start of validity.",
    "Certificate.validUntil": "End of validity.",
    "Certificate.company": "The holder.",
    "Certificate.request": "The request it was issued for.",
    "Certificate.history": "Every status change, oldest first.",
    "CertificateStatusChange": "A status change of a certificate: the history and the "
    "subscription's event.",
    "CertificateStatusChange.fromStatus": "The status left; null for the issuance.",
    "CertificateStatusChange.toStatus": "The status entered.",
    "CertificateStatusChange.at": "When.",
    "CertificateStatusChange.note": "Reason given, if any.",
    "CertificateStatusChange.certificate": "The certificate changed.",
    "CertificateReminder.stage": "Which email of the expiry timeline.",
    # Outbox
    "OutboxEmail.id": "Global id.",
    "OutboxEmail.kind": "Which notification.",
    "OutboxEmail.status": "Delivery status.",
    "OutboxEmail.company": "The company it concerns.",
    "OutboxEmail.toName": "Recipient's name.",
    "OutboxEmail.toEmail": "Recipient's address.",
    "OutboxEmail.subject": "Subject (Spanish).",
    "OutboxEmail.messageId": "The Message-ID header, stable across retries.",
    "OutboxEmail.lastAttemptAt": "When delivery was last tried.",
    "OutboxEmail.nextAttemptAt": "When delivery will be tried again, if pending.",
    "OutboxEmail.sentAt": "When it was accepted by the mail server.",
    "OutboxEmail.createdAt": "When it was queued (with the change it announces).",
    # Inputs and payloads
    "SubmitCertificateRequestInput": "A new or renewal request.",
    "SubmitCertificateRequestInput.documents": "The files, one per required kind plus others.",
    "SubmitCertificateRequestInput.legalRepresentative": "The legal representative.",
    "SubmitCertificateRequestPayload": "The outcome of submitCertificateRequest.",
    "SubmitCertificateRequestPayload.request": "The request created; null when refused.",
    "SubmitCertificateRequestPayload.errors": PAYLOAD_ERRORS,
    "ResubmitCertificateRequestInput": "Corrections to a rejected request.",
    "ResubmitCertificateRequestInput.requestId": "The rejected request.",
    "ResubmitCertificateRequestInput.documents": "The replaced files.",
    "ResubmitCertificateRequestInput.note": "A note for the reviewer.",
    "ResubmitCertificateRequestPayload": "The outcome of resubmitCertificateRequest.",
    "ResubmitCertificateRequestPayload.request": "The request, back in review; null when refused.",
    "ResubmitCertificateRequestPayload.errors": PAYLOAD_ERRORS,
    "WithdrawCertificateRequestPayload.request": "The request, now WITHDRAWN; null when refused.",
    "WithdrawCertificateRequestPayload.errors": PAYLOAD_ERRORS,
    "RejectCertificateRequestInput": "A rejection.",
    "RejectCertificateRequestInput.requestId": "The request in review.",
    "RejectCertificateRequestInput.observations": "What the customer must fix (Spanish).",
    "RejectCertificateRequestInput.documentObservations": "Observations on single documents.",
    "RejectCertificateRequestPayload": "The outcome of rejectCertificateRequest.",
    "RejectCertificateRequestPayload.request": "The rejected request; null when refused.",
    "RejectCertificateRequestPayload.errors": PAYLOAD_ERRORS,
    "DocumentObservationInput": "An observation on one document of the request.",
    "DocumentObservationInput.documentId": "The document.",
    "DocumentObservationInput.observation": "What is wrong with it (Spanish).",
    "ApproveCertificateRequestInput": "An approval, with the certificate issued.",
    "ApproveCertificateRequestInput.requestId": "The request in review.",
    "ApproveCertificateRequestInput.serialNumber": "Serial number of the issued certificate.",
    "ApproveCertificateRequestInput.validFrom": "Start of validity.",
    "ApproveCertificateRequestInput.validUntil": "End of validity.",
    "ApproveCertificateRequestPayload": "The outcome of approveCertificateRequest.",
    "ApproveCertificateRequestPayload.request": "The completed request; null when refused.",
    "ApproveCertificateRequestPayload.certificate": "The certificate; null when refused.",
    "ApproveCertificateRequestPayload.errors": PAYLOAD_ERRORS,
    "ChangeCertificateStateInput": "A certificate status change by an admin.",
    "ChangeCertificateStateInput.certificateId": "The certificate.",
    "ChangeCertificateStateInput.status": "The status to enter.",
    "ChangeCertificateStateInput.reason": "Why (kept in the history).",
    "ChangeCertificateStatePayload": "The outcome of changeCertificateState.",
    "ChangeCertificateStatePayload.certificate": "The certificate; null when refused.",
    "ChangeCertificateStatePayload.errors": PAYLOAD_ERRORS,
    "UpdatePrincipalContactInput": "A new principal contact.",
    "UpdatePrincipalContactInput.name": "Full name.",
    "UpdatePrincipalContactInput.email": "Email address for the notifications.",
    "UpdatePrincipalContactInput.companyId": "Admins: the company; customers omit it.",
    "UpdatePrincipalContactPayload": "The outcome of updatePrincipalContact.",
    "UpdatePrincipalContactPayload.company": "The company; null when refused.",
    "UpdatePrincipalContactPayload.errors": PAYLOAD_ERRORS,
    "RetryOutboxEmailInput": "A failed email to retry.",
    "RetryOutboxEmailInput.emailId": "The email.",
    "RetryOutboxEmailPayload": "The outcome of retryOutboxEmail.",
    "RetryOutboxEmailPayload.email": "The email, pending again; null when refused.",
    "RetryOutboxEmailPayload.errors": PAYLOAD_ERRORS,
    "LegalRepresentativeInput": "The legal representative of a request.",
    "LegalRepresentativeInput.name": "Full name.",
    "LegalRepresentativeInput.idType": "Kind of identity document.",
    "LegalRepresentativeInput.idNumber": "Identity document number, digits.",
    "DocumentUpload.kind": "Which document the file is.",
    "DocumentUpload.file": "The file, a part of the multipart request.",
    "UserError.code": "Stable code, for the front end's logic.",
    "UserError.message": "The problem for people, in Spanish.",
    "UserError.field": "The input field at fault, when there is one.",
    # Enums
    "Role": "What a user may do.",
    "Role.CUSTOMER": "A company's user: submits and follows its own requests.",
    "Role.REVIEWER": "Certification authority staff: reviews, rejects and approves requests.",
    "Role.ADMIN": "Administers companies, users, certificates and the email outbox.",
    "PersonType": "Legal nature of a company.",
    "PersonType.LEGAL_ENTITY": "A legal entity (persona jurídica).",
    "PersonType.NATURAL_PERSON": "A natural person (persona natural).",
    "CertificateRequestKind": "Why a certificate is requested.",
    "CertificateRequestKind.NEW": "A first certificate.",
    "CertificateRequestKind.RENEWAL": "Renewal of a certificate close to expiry.",
    "CertificateRequestStatus": "Where a request stands (En trámite, Rechazado, Completado).",
    "CertificateRequestStatus.IN_REVIEW": "Submitted or resubmitted, awaiting a reviewer.",
    "CertificateRequestStatus.REJECTED": "Returned with observations; may be resubmitted.",
    "CertificateRequestStatus.COMPLETED": "Approved: the certificate is issued.",
    "CertificateStatus": "A certificate's status.",
    "CertificateStatus.ACTIVE": "Valid and in use.",
    "CertificateStatus.INACTIVE": "Suspended by an admin; may be reactivated.",
    "CertificateStatus.REVOKED": "Revoked for good.",
    "CertificateStatus.EXPIRED": "Past its validity.",
    "CertificateReminderStage.RENEWAL_OPEN": "Renewal may now be requested.",
    "CertificateReminderStage.BEFORE_EXPIRY": "A reminder some days before expiry.",
    "CertificateReminderStage.EXPIRED": "The certificate expired.",
    "DocumentKind": "Kinds of document a request carries.",
    "DocumentKind.RUT": "The RUT (registro único tributario).",
    "DocumentKind.LEGAL_REPRESENTATIVE_ID": "The legal representative's identity document.",
    "DocumentKind.CHAMBER_OF_COMMERCE_CERTIFICATE": "Certificate of existence and legal "
    "representation (legal entities).",
    "DocumentKind.OTHER": "Any other supporting document.",
    "IdentityDocumentType": "Colombian identity documents.",
    "IdentityDocumentType.CC": "Cédula de ciudadanía.",
    "IdentityDocumentType.CE": "Cédula de extranjería.",
    "IdentityDocumentType.PASSPORT": "Passport.",
    "NoticeCode": "Notices of the tracking screen.",
    "NoticeCode.REQUEST_APPROVED": "The latest request was approved.",
    "NoticeCode.REQUEST_IN_REVIEW": "A request is in review.",
    "NoticeCode.REQUEST_REJECTED": "The latest request was rejected: corrections expected.",
    "NoticeCode.CERTIFICATE_NOT_RENEWABLE_YET": "Too early to request a renewal.",
    "NoticeCode.CERTIFICATE_RENEWAL_OPEN": "Renewal may be requested.",
    "NoticeCode.CERTIFICATE_EXPIRED": "The certificate expired.",
    "ErrorCode": "Stable codes of the errors returned as data.",
    "ErrorCode.UNAUTHENTICATED": "No valid token.",
    "ErrorCode.FORBIDDEN": "The caller's role may not do this.",
    "ErrorCode.NOT_FOUND": "No such object, or not visible to the caller.",
    "ErrorCode.INVALID_INPUT": "A field's value is not acceptable; see `field`.",
    "ErrorCode.INVALID_STATE_TRANSITION": "Not allowed from the current status.",
    "ErrorCode.REQUEST_IN_PROGRESS": "The company already has a request in review.",
    "ErrorCode.CERTIFICATE_NOT_RENEWABLE_YET": "Renewal is not open yet.",
    "ErrorCode.MISSING_DOCUMENT": "A required document is missing.",
    "ErrorCode.INVALID_DOCUMENT": "A file is not an acceptable document (type, size, content).",
    "ErrorCode.OBSERVATIONS_REQUIRED": "A rejection needs observations.",
    "ErrorCode.CONFLICT": "Changed meanwhile by someone else; read again and retry.",
    "ErrorCode.STORAGE_QUOTA_EXCEEDED": "The company's documents would pass its storage quota "
    "(COMPANY_STORAGE_QUOTA_BYTES); nothing was stored.",
    "ErrorCode.REQUEST_TOO_LARGE": "Before GraphQL ran: a body or query string past its byte limit "
    "(HTTP 413; MAX_JSON_REQUEST_BYTES, MAX_REQUEST_BYTES).",
    "ErrorCode.QUERY_TOO_LARGE": "A query text past MAX_QUERY_CHARS, refused before parsing.",
    "ErrorCode.MALFORMED_MULTIPART": "Before GraphQL ran: a multipart request whose operations, "
    "map and files do not fit together (HTTP 400).",
    "ErrorCode.TOO_MANY_REQUESTS": "Before GraphQL ran: too many failed authentications from one "
    "address (HTTP 429); valid tokens still pass.",
    "ErrorCode.TOO_MANY_SOCKETS": "Past MAX_SOCKETS_PER_TOKEN open WebSockets: the socket is "
    "closed with 4429.",
    "EmailKind": "Kinds of notification email.",
    "EmailKind.REQUEST_RECEIVED": "A request was received.",
    "EmailKind.REQUEST_REJECTED": "A request was rejected.",
    "EmailKind.REQUEST_APPROVED": "A request was approved.",
    "EmailKind.CERTIFICATE_STATE_CHANGED": "A certificate changed status.",
    "EmailKind.REQUEST_WITHDRAWN": "A request was withdrawn, by the company or automatically.",
    "EmailKind.CERTIFICATE_STARTED": "An ISSUED certificate reached its validFrom and is ACTIVE.",
    "EmailKind.CONTACT_CHANGED": "The principal contact changed (sent to the previous address).",
    "AuditAction.REQUEST_APPROVED": "A reviewer approved a request.",
    "AuditAction.REQUEST_REJECTED": "A reviewer rejected a request.",
    "AuditAction.CERTIFICATE_STATE_CHANGED": "Someone changed a certificate's status.",
    "AuditAction.OUTBOX_EMAIL_RETRIED": "An admin queued a failed email again.",
    "AuditAction.TOKEN_ISSUED": "An API token was issued (certs token issue).",
    "AuditAction.TOKENS_REVOKED": "A user's API tokens were revoked (certs token revoke).",
    "AuditAction.CONTACT_CHANGED": "A company's principal contact was changed.",
    "AuditAction.REMINDER_SETTINGS_CHANGED": "A company's expiry reminder settings were changed.",
    "AuditAction.REMINDER_RECIPIENT_ADDED": "An extra reminder recipient was added (unconfirmed).",
    "AuditAction.REMINDER_RECIPIENT_REMOVED": "An extra reminder recipient was removed.",
    "AuditAction.WEBHOOK_ENDPOINT_REGISTERED": "A webhook endpoint was registered.",
    "AuditAction.WEBHOOK_ENDPOINT_ENABLED_CHANGED": "A webhook endpoint was switched on or off.",
    "AuditAction.WEBHOOK_REDELIVERED": "An admin put a webhook delivery back in line.",
    "AuditAction.USER_DEACTIVATED": "A user was deactivated (certs user deactivate).",
    "AuditAction.USER_ACTIVATED": "A user was activated again (certs user activate).",
    "AuditAction.USER_MOVED": "A user was moved to another company (certs user move).",
    "EmailKind.CERTIFICATE_RENEWAL_OPEN": "Renewal is open.",
    "EmailKind.CERTIFICATE_EXPIRY_REMINDER": "The certificate expires soon.",
    "EmailKind.CERTIFICATE_EXPIRED": "The certificate expired.",
    "OutboxEmailStatus": "Delivery status of an email.",
    "OutboxEmailStatus.PENDING": "Queued or waiting for a retry.",
    "OutboxEmailStatus.SENT": "Accepted by the mail server.",
    "OutboxEmailStatus.FAILED": "Given up after the last attempt; an admin may retry it.",
}


def apply_descriptions(schema: GraphQLSchema) -> None:
    """Fills in the descriptions the code does not give, and the scalars' specifiedBy URLs."""
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__"):
            continue
        if isinstance(graphql_type, GraphQLScalarType) and name in SCALARS:
            graphql_type.description = SCALARS[name]
            graphql_type.specified_by_url = SPECIFIED_BY[name]
        if not graphql_type.description and name in DESCRIPTIONS:
            graphql_type.description = DESCRIPTIONS[name]
        if isinstance(
            graphql_type, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType
        ):
            for field_name, field in graphql_type.fields.items():
                key = f"{name}.{field_name}"
                if not field.description and key in DESCRIPTIONS:
                    field.description = DESCRIPTIONS[key]
                for arg_name, arg in getattr(field, "args", {}).items():
                    arg_key = f"{key}({arg_name})"
                    if not arg.description and arg_key in DESCRIPTIONS:
                        arg.description = DESCRIPTIONS[arg_key]
        if isinstance(graphql_type, GraphQLEnumType):
            for value_name, value in graphql_type.values.items():
                key = f"{name}.{value_name}"
                if not value.description and key in DESCRIPTIONS:
                    value.description = DESCRIPTIONS[key]
