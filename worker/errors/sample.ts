/**
 * A realistic Django error for the "send a sample error" button: a KeyError in a checkout view, with
 * source context, local variables (one of them a secret, to show scrubbing), a request, a user and
 * breadcrumbs — so a new user can see a populated issue page before touching their app.
 */
export function sampleEvent(eventId: string, now = Date.now()): Record<string, unknown> {
  const ts = (offsetMs: number) => new Date(now + offsetMs).toISOString();
  return {
    event_id: eventId,
    timestamp: ts(0),
    platform: "python",
    level: "error",
    logger: "django.request",
    transaction: "/checkout/",
    release: "sample@1.0.0",
    environment: "production",
    server_name: "web-1",
    tags: { sample: "yes", "http.method": "POST" },
    user: { id: "42", email: "ann@example.com" },
    request: {
      method: "POST",
      url: "https://shop.example.com/checkout/",
      query_string: "step=shipping",
      headers: { "User-Agent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Firefox/128.0", Cookie: "sessionid=abc123", "Content-Type": "application/x-www-form-urlencoded" },
      data: { country: "IE", quantity: "2", card_number: "4111 1111 1111 1111" },
    },
    contexts: {
      runtime: { name: "CPython", version: "3.12.4" },
      browser: { name: "Firefox", version: "128.0" },
      os: { name: "macOS", version: "14.5" },
    },
    breadcrumbs: {
      values: [
        { timestamp: ts(-900), category: "query", message: 'SELECT "store_cart"."id" FROM "store_cart" WHERE "store_cart"."id" = 7', level: "info" },
        { timestamp: ts(-400), category: "django.security", message: "CSRF token checked", level: "info" },
      ],
    },
    exception: {
      values: [
        {
          type: "KeyError",
          value: "'IE'",
          mechanism: { type: "django", handled: false },
          stacktrace: {
            frames: [
              {
                filename: "django/core/handlers/base.py",
                module: "django.core.handlers.base",
                function: "_get_response",
                lineno: 197,
                in_app: false,
                context_line: "                response = wrapped_callback(request, *callback_args, **callback_kwargs)",
                pre_context: ["            try:"],
                post_context: ["            except Exception as e:"],
              },
              {
                filename: "store/views.py",
                abs_path: "/app/store/views.py",
                module: "store.views",
                function: "checkout",
                lineno: 58,
                in_app: true,
                pre_context: ["    form = CheckoutForm(request.POST)", "    if form.is_valid():", "        order = form.save(commit=False)"],
                context_line: "        order.shipping = shipping_cost(order.country, cart.weight_kg)",
                post_context: ["        order.save()", '        return redirect("thanks")'],
                vars: { request: "<WSGIRequest: POST '/checkout/'>", cart: "<Cart: 7>", api_key: "sk_live_51Hc…" },
              },
              {
                filename: "store/pricing.py",
                abs_path: "/app/store/pricing.py",
                module: "store.pricing",
                function: "shipping_cost",
                lineno: 14,
                in_app: true,
                pre_context: ["def shipping_cost(country, weight_kg):", '    """Shipping per kilogram, by country."""'],
                context_line: "    return RATES[country] * weight_kg",
                post_context: [""],
                vars: { country: "'IE'", weight_kg: "2.5" },
              },
            ],
          },
        },
      ],
    },
  };
}
