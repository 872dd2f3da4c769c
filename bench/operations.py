"""The GraphQL documents the benchmarks send: the screens of the README, as a front end sends them."""

#: The company's tracking screen (README, «The tracking screen»).
TRACKING = """
query Tracking {
  certificateTracking {
    company { nit legalName principalContact { name email } }
    certificate { status statusLabel validFrom validUntil daysUntilExpiry canRenew allowedStateChanges }
    latestRequest {
      id status statusLabel attempt expectedDecisionBy isOverdue observations
      documents { id kind fileName observation downloadUrl }
      history { fromStatus toStatus at actor { name role } note }
    }
    notices { code message redirectToTracking }
    canSubmitRequest
    nextRequestKind
  }
}
"""

#: The reviewers' queue, oldest first, with what a reviewer opens for each request; the next page
#: from `after` (pageInfo.endCursor).
QUEUE = """
query Queue($first: Int!, $after: String) {
  certificateRequests(status: IN_REVIEW, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id status submittedAt expectedDecisionBy isOverdue
                   company { nit legalName }
                   documents { id kind fileName downloadUrl }
                   history { fromStatus toStatus at actor { name role } }
                   certificate { serialNumber status } } }
  }
}
"""

#: What a reviewer's dashboard listens to: every status change it may see.
SUBSCRIPTION = """
subscription Changes {
  certificateRequestStatusChanged { fromStatus toStatus at request { id status statusLabel } }
}
"""

REJECT = """
mutation Reject($input: RejectCertificateRequestInput!) {
  rejectCertificateRequest(input: $input) {
    request { id status }
    errors { code message }
  }
}
"""
