"""GraphQL documents the tests send, written the way a front end would."""

SUBMIT = """
mutation Submit($input: SubmitCertificateRequestInput!) {
  submitCertificateRequest(input: $input) {
    request { id kind status statusLabel attempt expectedDecisionBy isOverdue validityStartsOn
              renewalOf { id }
              documents { id kind fileName contentType sizeBytes sha256 issuedOn downloadUrl } }
    errors { code message field }
  }
}
"""

RESUBMIT = """
mutation Resubmit($input: ResubmitCertificateRequestInput!) {
  resubmitCertificateRequest(input: $input) {
    request { id status statusLabel attempt observations
              documents { id kind fileName observation } }
    errors { code message field }
  }
}
"""

REJECT = """
mutation Reject($input: RejectCertificateRequestInput!) {
  rejectCertificateRequest(input: $input) {
    request { id status statusLabel observations decidedAt
              documents { id kind observation } }
    errors { code message field }
  }
}
"""

APPROVE = """
mutation Approve($input: ApproveCertificateRequestInput!) {
  approveCertificateRequest(input: $input) {
    request { id status statusLabel decidedAt }
    certificate { id serialNumber issuer status statusLabel validFrom validUntil }
    errors { code message field }
  }
}
"""

CHANGE_STATE = """
mutation Change($input: ChangeCertificateStateInput!) {
  changeCertificateState(input: $input) {
    certificate { id status statusLabel allowedStateChanges history { fromStatus toStatus note } }
    errors { code message field }
  }
}
"""

UPDATE_CONTACT = """
mutation Contact($input: UpdatePrincipalContactInput!) {
  updatePrincipalContact(input: $input) {
    company { id principalContact { name email } }
    errors { code message field }
  }
}
"""

TRACKING = """
query Tracking($companyId: ID) {
  certificateTracking(companyId: $companyId) {
    company { id nit legalName principalContact { name email } }
    certificate { id status statusLabel validFrom validUntil daysUntilExpiry renewableFrom canRenew
                  allowedStateChanges replacedBy { id } }
    latestRequest { id kind status statusLabel attempt observations
                    documents { id kind observation } history { fromStatus toStatus actor { name role } note } }
    notices { code message redirectToTracking }
    canSubmitRequest
    nextRequestKind
  }
}
"""

REQUESTS = """
query Requests($first: Int, $after: String, $status: CertificateRequestStatus, $companyId: ID) {
  certificateRequests(first: $first, after: $after, status: $status, companyId: $companyId) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id status company { nit } } }
  }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) {
    id
    __typename
    ... on CertificateRequest { status }
    ... on Company { nit }
    ... on Certificate { serialNumber }
    ... on RequestDocument { fileName }
  }
}
"""

VIEWER = "query { viewer { user { id email name role } company { id nit } } }"
