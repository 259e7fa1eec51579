"""Tell Vigil which customer hit an error, so issues show how many users they affect."""

import sentry_sdk


# [customer]
class CustomerMiddleware:
    """The shop sits behind a login proxy that passes the signed-in customer in headers
    (`X-Customer-Id`, `X-Customer-Email`). Put them on the request and on the SDK's scope:
    every event from this request then carries `user`. The SDK starts a fresh scope for
    each request, so one customer never leaks into another's events."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        customer_id = request.headers.get("X-Customer-Id", "").strip()
        request.customer_id = customer_id or None
        if customer_id:
            user = {"id": customer_id}
            email = request.headers.get("X-Customer-Email", "").strip()
            if email:
                user["email"] = email
            sentry_sdk.set_user(user)
        return self.get_response(request)
# [/customer]
