"""A client for the token broker, standard library only (Python 3.8+).

The same rules as the Node package @token-broker/client:
- asks GET /v1/tokens/{id}?min_ttl=<min_ttl> and reuses the token until min_ttl seconds before it expires,
  never past its expiry; a token with less than min_ttl left (the identity provider is down) is returned but
  reused for one second at most;
- one broker request per credential at a time: concurrent threads wait for it and share the answer;
- 429, 503, network errors and timeouts are retried within `deadline`, after the broker's Retry-After
  (else 0.1 s doubling to 2 s); other answers raise TokenBrokerError at once;
- `token_file` (a projected Kubernetes service-account token) is read for every broker request, so a token
  the kubelet swapped in is used from the next request on, and read once more after a 401 from the broker;
- the API key and tokens never appear in an error message.

    client = TokenBrokerClient("http://token-broker.platform:8080", api_key=os.environ["TOKEN_BROKER_API_KEY"])
    headers = client.headers("aep-prod")   # {"authorization": "Bearer …", "x-api-key": …, "x-gw-ims-org-id": …}

Run as a script to try it: TOKEN_BROKER_URL=… TOKEN_BROKER_API_KEY=… python3 token_broker_client.py aep-prod
"""

import email.utils
import hashlib
import json
import os
import random
import re
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

_CREDENTIAL_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# A token with less than min_ttl left is reused this long at most: at most one broker request a second.
_SHORT_TOKEN_REUSE = 1.0
_BACKOFF_FIRST, _BACKOFF_MAX = 0.1, 2.0


class TokenBrokerError(Exception):
    """A failed call to the broker: its RFC 9457 problem, or no answer (status 0)."""

    def __init__(self, message, status=0, code="", detail="", request_id=None, retry_after=None, credential_id=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.detail = detail
        self.request_id = request_id
        self.retry_after = retry_after
        self.credential_id = credential_id

    @property
    def retryable(self):
        return self.status in (429, 503) or self.code in ("network_error", "timeout")


class Token:
    """A token: `expires_at` is epoch seconds by this machine's clock, dated from when the request was sent."""

    __slots__ = ("access_token", "token_type", "expires_at")

    def __init__(self, access_token, token_type, expires_at):
        self.access_token = access_token
        self.token_type = token_type
        self.expires_at = expires_at

    @property
    def expires_in(self):
        return max(0, int(self.expires_at - time.time()))

    def __repr__(self):  # never the token itself
        return "Token(type=%s, expires_in=%d)" % (self.token_type, self.expires_in)


class TokenBrokerClient:
    def __init__(self, base_url, api_key=None, token_file=None, min_ttl=300, timeout=5.0, deadline=30.0, on_event=None):
        if (api_key is None) == (token_file is None):
            raise ValueError("give exactly one of api_key and token_file")
        parsed = urllib.parse.urlsplit(base_url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or "@" in parsed.netloc:
            raise ValueError("base_url must be an absolute http(s) URL without credentials")
        self._base = base_url.rstrip("/")
        self._api_key = api_key
        self._token_file = token_file
        self._last_file_token = None
        self._presented = set([api_key]) if api_key else set()
        self._min_ttl = int(min_ttl)
        self._timeout = float(timeout)
        self._deadline = float(deadline)
        self._on_event = on_event
        self._cache = {}  # credential id -> (Token, reuse_until)
        self._templates = {}  # credential id -> header template (without authorization)
        self._locks = {}
        self._locks_guard = threading.Lock()

    def __repr__(self):
        return "TokenBrokerClient(%s)" % self._base

    # ---- public API -----------------------------------------------------------------------------------

    def get_token(self, credential_id):
        """A token valid for at least min_ttl seconds when the broker can provide one."""
        cached = self._cached(credential_id)
        if cached is not None:
            self._emit("cache-hit", credential_id)
            return cached
        _check_id(credential_id)
        # One broker request per credential: the others wait on the lock and find the token cached.
        with self._lock_for(credential_id):
            cached = self._cached(credential_id)
            if cached is not None:
                self._emit("cache-hit", credential_id)
                return cached
            body, sent_at = self._send(credential_id, "GET", "/v1/tokens/%s?min_ttl=%d" % (credential_id, self._min_ttl))
            return self._store(credential_id, _token_of(body, sent_at, credential_id), sent_at)

    def headers(self, credential_id):
        """`authorization` plus the credential's own headers (for Adobe x-api-key and x-gw-ims-org-id)."""
        token = self.get_token(credential_id)
        template = self._templates.get(credential_id)
        if template is None:
            body, _ = self._send(credential_id, "GET", "/v1/tokens/%s/headers?min_ttl=%d" % (credential_id, self._min_ttl))
            template = {k.lower(): v for k, v in body.items() if k.lower() != "authorization" and isinstance(v, str)}
            self._templates[credential_id] = template
        headers = {"authorization": "Bearer " + token.access_token}
        headers.update(template)
        return headers

    def report_rejected(self, credential_id, access_token):
        """After an API answered 401 to `access_token`: the broker's replacement (one fleet-wide refresh)."""
        _check_id(credential_id)
        self._emit("rejected", credential_id)
        with self._lock_for(credential_id):
            entry = self._cache.get(credential_id)
            if entry is not None and entry[0].access_token != access_token and time.time() < entry[1]:
                return entry[0]  # already replaced
            self._cache.pop(credential_id, None)
            fingerprint = hashlib.sha256(access_token.encode()).hexdigest()
            body, sent_at = self._send(credential_id, "POST", "/v1/tokens/%s/rejections" % credential_id, {"token_sha256": fingerprint}, secrets=(access_token,))
            return self._store(credential_id, _token_of(body, sent_at, credential_id), sent_at)

    # ---- cache ------------------------------------------------------------------------------------------

    def _cached(self, credential_id):
        entry = self._cache.get(credential_id)
        if entry is not None and time.time() < entry[1]:
            return entry[0]
        return None

    def _store(self, credential_id, token, sent_at):
        reusable_until = token.expires_at - self._min_ttl
        long_lived = reusable_until > time.time()
        self._cache[credential_id] = (token, reusable_until if long_lived else min(token.expires_at, sent_at + _SHORT_TOKEN_REUSE))
        self._templates.pop(credential_id, None)  # a new token may come with a changed credential
        self._emit("token-fetched", credential_id, cached=long_lived)
        return token

    def _lock_for(self, credential_id):
        with self._locks_guard:
            return self._locks.setdefault(credential_id, threading.Lock())

    # ---- HTTP with retries --------------------------------------------------------------------------------

    def _send(self, credential_id, method, path, body=None, secrets=()):
        deadline_at = time.monotonic() + self._deadline
        reread_after_401 = False
        attempt = 0
        while True:
            attempt += 1
            bearer = self._bearer()
            try:
                return self._attempt(credential_id, method, path, body, bearer, deadline_at, secrets)
            except TokenBrokerError as error:
                if error.status == 401 and self._token_file and not reread_after_401:
                    reread_after_401 = True  # the kubelet may have rotated the token since we read it
                    if self._bearer() != bearer:
                        continue
                if not error.retryable:
                    raise
                delay = error.retry_after if error.retry_after is not None else _backoff(attempt)
                if time.monotonic() + delay >= deadline_at:
                    raise  # waiting only to fail later helps no one
                self._emit("retry", credential_id, attempt=attempt, status=error.status, code=error.code, delay=delay)
                time.sleep(delay)

    def _attempt(self, credential_id, method, path, body, bearer, deadline_at, secrets):
        url = self._base + path
        where = self._base + path.split("?")[0]
        budget = min(self._timeout, deadline_at - time.monotonic())
        if budget <= 0:
            raise TokenBrokerError("token broker %s: deadline reached" % where, code="timeout", detail="deadline reached", credential_id=credential_id)
        headers = {"authorization": "Bearer " + bearer, "accept": "application/json, application/problem+json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["content-type"] = "application/json"
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        sent_at = time.time()
        try:
            with urllib.request.urlopen(request, timeout=budget) as response:
                return json.loads(response.read().decode("utf-8")), sent_at
        except urllib.error.HTTPError as error:
            raise self._problem(error, where, credential_id, secrets)
        except (socket.timeout, TimeoutError) as error:
            raise TokenBrokerError("token broker %s did not answer within %.1f s" % (where, budget), code="timeout", detail=str(error), credential_id=credential_id)
        except (urllib.error.URLError, OSError) as error:
            reason = self._scrub(str(getattr(error, "reason", error)), secrets)
            if "timed out" in reason:
                raise TokenBrokerError("token broker %s did not answer within %.1f s" % (where, budget), code="timeout", detail=reason, credential_id=credential_id)
            raise TokenBrokerError("token broker %s unreachable: %s" % (where, reason), code="network_error", detail=reason, credential_id=credential_id)
        except ValueError:
            raise TokenBrokerError("token broker %s answered with a body that is not JSON" % where, status=200, code="invalid_response", credential_id=credential_id)

    def _problem(self, error, where, credential_id, secrets):
        try:
            problem = json.loads(error.read(8192).decode("utf-8", "replace"))
        except ValueError:
            problem = {}
        if not isinstance(problem, dict):
            problem = {}
        code = self._scrub(str(problem.get("code") or "http_%d" % error.code), secrets)
        detail = self._scrub(str(problem.get("detail") or error.reason or ""), secrets)
        return TokenBrokerError(
            "token broker %s answered %d %s: %s" % (where, error.code, code, detail),
            status=error.code,
            code=code,
            detail=detail,
            request_id=problem.get("request_id") or error.headers.get("x-request-id"),
            retry_after=_retry_after(error.headers.get("retry-after")),
            credential_id=credential_id,
        )

    def _bearer(self):
        if self._api_key is not None:
            return self._api_key
        try:
            with open(self._token_file, encoding="utf-8") as f:
                value = f.read().strip()
            if not value:
                raise OSError("the token file is empty")
            self._last_file_token = value
            self._presented.add(value)
        except OSError as error:
            if self._last_file_token is None:  # a read racing the kubelet's swap: keep the last token read
                raise TokenBrokerError("cannot read token_file %s (%s)" % (self._token_file, error.strerror or error), code="token_file_unreadable")
        return self._last_file_token

    def _scrub(self, text, secrets=()):
        for secret in sorted(set(self._presented) | set(secrets), key=len, reverse=True):
            if secret:
                text = text.replace(secret, "[redacted]")
        return text

    def _emit(self, event, credential_id, **fields):
        if self._on_event is not None:
            try:
                self._on_event(event, credential_id, **fields)
            except Exception:  # a counting hook must not break token delivery
                pass


def _check_id(credential_id):
    if not isinstance(credential_id, str) or not _CREDENTIAL_ID.match(credential_id):
        raise ValueError("a credential id is 1-64 characters of A-Z, a-z, 0-9, '.', '_' and '-'")


def _token_of(body, sent_at, credential_id):
    try:
        access_token, token_type, expires_in = body["access_token"], body["token_type"], body["expires_in"]
        if not isinstance(access_token, str) or not access_token or not isinstance(expires_in, (int, float)) or expires_in < 0:
            raise TypeError
    except (KeyError, TypeError):
        raise TokenBrokerError("token broker answered for %s without a valid token" % credential_id, status=200, code="invalid_response", credential_id=credential_id)
    # From when the request was sent: slightly early, never late, whatever the broker's clock says.
    return Token(access_token, token_type, sent_at + expires_in)


def _retry_after(value):
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return int(value)
    try:
        return max(0, int(email.utils.parsedate_to_datetime(value).timestamp() - time.time() + 0.999))
    except (TypeError, ValueError):
        return None


def _backoff(attempt):
    step = min(_BACKOFF_MAX, _BACKOFF_FIRST * 2 ** (attempt - 1))
    return step / 2 + random.random() * step / 2


def _main(argv):
    """Fetches each credential's token (from `--threads` threads at once) and prints what it got, never the token."""
    import argparse

    parser = argparse.ArgumentParser(description="Fetch tokens from the token broker.")
    parser.add_argument("credentials", nargs="+")
    parser.add_argument("--threads", type=int, default=1, help="concurrent get_token calls per credential")
    parser.add_argument("--headers", action="store_true", help="also fetch the API headers")
    parser.add_argument("--deadline", type=float, default=30.0)
    args = parser.parse_args(argv)

    def on_event(event, credential_id, **fields):
        print(json.dumps(dict(event=event, credential=credential_id, **fields)), file=sys.stderr)

    client = TokenBrokerClient(
        os.environ.get("TOKEN_BROKER_URL", "http://127.0.0.1:8080"),
        api_key=os.environ.get("TOKEN_BROKER_API_KEY"),
        token_file=os.environ.get("TOKEN_BROKER_TOKEN_FILE"),
        deadline=args.deadline,
        on_event=on_event,
    )
    status = 0
    for credential_id in args.credentials:
        results, errors = [], []

        def fetch():
            try:
                results.append(client.get_token(credential_id))
            except TokenBrokerError as error:
                errors.append(error)

        threads = [threading.Thread(target=fetch) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        line = {"credential": credential_id}
        if errors:
            status = 1
            e = errors[0]
            line["error"] = {"message": str(e), "status": e.status, "code": e.code, "request_id": e.request_id, "retry_after": e.retry_after}
        else:
            line["token_sha256"] = sorted(set(hashlib.sha256(t.access_token.encode()).hexdigest() for t in results))
            line["expires_in"] = results[0].expires_in
            if args.headers:
                headers = client.headers(credential_id)
                line["headers"] = {k: ("Bearer sha256:" + hashlib.sha256(v[7:].encode()).hexdigest() if k == "authorization" else v) for k, v in headers.items()}
        print(json.dumps(line))
    return status


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
