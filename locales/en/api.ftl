# What to do about an error from the service (api::error::advice_for)
api-advice-invalid-api-key = The API key was refused. Check that it is copied whole, and that it was created in the region chosen in Settings: a key from the other region (Beijing or Singapore) gets this same error.
api-advice-unpurchased = This model is not activated for your account: activate it in the Model Studio console, then try again.
api-advice-access-denied = The service refused access. If this keeps happening, check the key's permissions and the workspace in the Model Studio console; an expired upload permission is renewed automatically on retry.
api-advice-arrearage = Your Alibaba Cloud account is overdue: top it up in the console, then try again.
api-advice-data-inspection = Content moderation rejected the prompt, an image or the result. Change the wording or the reference images and generate again.
api-advice-model-not-found = The service does not know this model. Check the region / base URL: the PixVerse models are served only in Beijing.
api-advice-throttling = Too many requests at once for your account. The app waits and tries again by itself.
api-advice-quota-used-up = Your account's quota for this model is used up: wait for it to renew or raise it in the console.
api-advice-generation-timeout = The service gave up on this generation after 3 hours. Generate again (this is billed as a new task).
api-advice-model-unavailable = The model is temporarily unavailable. The app tries again by itself; if it lasts, try later.
api-advice-unsupported-operation = Only a task that is still waiting (PENDING) can be cancelled; a running task finishes and is billed.
api-advice-invalid-parameter = The service refused a parameter (see the message). Fix it and generate again.
api-advice-malformed-answer = The service's answer could not be read. Try again; if it keeps happening, quote the request_id to support.
# HTTP 408 or 5xx without a known error code.
api-advice-server-trouble = The service had a temporary problem. The app tries again by itself; if it lasts, try later.
# Any other refusal without a known error code.
api-advice-refused = The request was refused. Check the message; if it is unclear, quote the request_id to support.

# What to do when no answer came (api::error::Error::advice)
api-advice-connect = Check your internet connection and the base URL in settings, then try again.
api-advice-network-unstable = The network or the service is slow or unstable. The app tries again where that is safe.
api-advice-invalid-request = Check the settings (base URL) and the task id.

# Appended to an error line (ApiError::user_text); request_id is the service's field name.
api-request-id = {" "}(request_id: { $id })

# What happened (api::error::Error::describe). Each is a clause that the engine
# puts inside its own sentences: no capital, no full stop. code, message and
# detail are the service's or the system's own words, shown as they came.
api-error-answered = the service answered HTTP { $status } { $code }: { $message }
api-error-answered-code = the service answered HTTP { $status } { $code } without a message
api-error-status = the service answered HTTP { $status } without its own error details (a gateway or proxy may have answered)
api-error-dns = the service's address could not be looked up ({ $detail })
api-error-refused = the service refused the connection ({ $detail })
api-error-reset = the connection to the service was cut ({ $detail })
api-error-tls = no secure connection to the service could be set up ({ $detail })
api-error-connect = could not connect to the service ({ $detail })
api-error-timeout = the service did not answer in time ({ $detail })
api-error-broken = the connection to the service broke ({ $detail })
api-error-unreadable = the service's answer (HTTP { $status }) could not be read ({ $detail })
api-error-too-large = the service's answer (HTTP { $status }) is larger than { $megabytes } MB, so it is not a real answer
api-error-with-request-id = { $what } (request_id: { $id })

# Requests that could not be made (api::client); detail is the system's own words.
api-invalid-base-url = the base URL is not a URL ({ $detail }): { $url }
api-invalid-base-url-scheme = the base URL must start with https:// (or http:// for a local simulator): { $url }
api-invalid-http-setup = HTTP could not be set up ({ $detail })
api-invalid-file-name = not a plain file name: { $name }
api-invalid-content-type = not a content type: { $content_type } ({ $detail })
api-invalid-video-link = the video link is not a URL ({ $detail })
api-invalid-video-link-scheme = the video link must start with http:// or https://, not { $scheme }:
api-invalid-task-id = not a task id: { $id }
