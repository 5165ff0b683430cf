package receiver

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"sort"
	"strings"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
)

// call is one webhook call: its headers and body.
type call struct {
	header http.Header
	body   []byte
}

// verifier checks a call as its sender signs it and returns the sender's
// event type ("" for senders without one); events is spec.events.
type verifier func(c call, token string, events []string) error

// verifiers holds the types Tide verifies, checked as Flux checks them.
var verifiers = map[string]verifier{
	notificationv1.GenericReceiver: func(call, string, []string) error { return nil },
	notificationv1.GenericHMACReceiver: func(c call, token string, _ []string) error {
		if err := checkSignature(c.header.Get("X-Signature"), c.body, token); err != nil {
			return fmt.Errorf("unable to validate HMAC signature: %w", err)
		}
		return nil
	},
	notificationv1.GitHubReceiver: func(c call, token string, events []string) error {
		if err := checkSignature(githubSignature(c.header), c.body, token); err != nil {
			return fmt.Errorf("the GitHub signature header is invalid, err: %w", err)
		}
		return allowed("GitHub event", c.header.Get("X-GitHub-Event"), events)
	},
	notificationv1.GitLabReceiver: func(c call, token string, events []string) error {
		if !hmac.Equal([]byte(c.header.Get("X-Gitlab-Token")), []byte(token)) {
			return errors.New("the X-Gitlab-Token header value does not match the receiver token")
		}
		return allowed("GitLab event", c.header.Get("X-Gitlab-Event"), events)
	},
	notificationv1.BitbucketReceiver: func(c call, token string, events []string) error {
		if err := checkSignature(githubSignature(c.header), c.body, token); err != nil {
			return fmt.Errorf("the Bitbucket server signature header is invalid, err: %w", err)
		}
		return allowed("Bitbucket server event", c.header.Get("X-Event-Key"), events)
	},
	notificationv1.HarborReceiver: func(c call, token string, _ []string) error {
		if !hmac.Equal([]byte(c.header.Get("Authorization")), []byte(token)) {
			return errors.New("the Harbor Authorization header value does not match the receiver token")
		}
		return nil
	},
	notificationv1.NexusReceiver: func(c call, token string, _ []string) error {
		sig := c.header.Get("X-Nexus-Webhook-Signature")
		if sig == "" {
			return errors.New("Nexus signature is missing from header")
		}
		mac := hmac.New(sha1.New, []byte(token))
		mac.Write(c.body)
		if !hmac.Equal([]byte(sig), []byte(hex.EncodeToString(mac.Sum(nil)))) {
			return errors.New("invalid Nexus signature")
		}
		return decodes("Nexus", c.body)
	},
	notificationv1.QuayReceiver:      func(c call, _ string, _ []string) error { return decodes("Quay", c.body) },
	notificationv1.DockerHubReceiver: func(c call, _ string, _ []string) error { return decodes("DockerHub", c.body) },
	notificationv1.ACRReceiver:       func(c call, _ string, _ []string) error { return decodes("ACR", c.body) },
	notificationv1.CDEventsReceiver: func(c call, _ string, events []string) error {
		var e struct {
			Context map[string]any `json:"context"`
			Subject map[string]any `json:"subject"`
		}
		if err := json.Unmarshal(c.body, &e); err != nil || e.Context == nil || e.Subject == nil {
			return errors.New("unable to validate CDEvent event: not a CDEvent (context and subject required)")
		}
		return allowed("CDEvent", c.header.Get("Ce-Type"), events)
	},
}

// githubSignature is the SHA-256 signature when sent, else the SHA-1 one.
func githubSignature(h http.Header) string {
	if s := h.Get("X-Hub-Signature-256"); s != "" {
		return s
	}
	return h.Get("X-Hub-Signature")
}

// checkSignature checks "<algorithm>=<hex HMAC of body>" with the token as
// key; sha1, sha256 and sha512 are accepted, as GitHub's library does.
func checkSignature(signature string, body []byte, token string) error {
	algo, sum, ok := strings.Cut(signature, "=")
	if !ok {
		return errors.New("missing signature")
	}
	var h func() hash.Hash
	switch algo {
	case "sha1":
		h = sha1.New
	case "sha256":
		h = sha256.New
	case "sha512":
		h = sha512.New
	default:
		return fmt.Errorf("unknown hash type prefix: %q", algo)
	}
	want, err := hex.DecodeString(sum)
	if err != nil {
		return errors.New("error decoding signature")
	}
	mac := hmac.New(h, []byte(token))
	mac.Write(body)
	if !hmac.Equal(mac.Sum(nil), want) {
		return errors.New("payload signature check failed")
	}
	return nil
}

// allowed accepts any event when spec.events is empty, else one it lists
// (case-insensitive).
func allowed(what, event string, events []string) error {
	if len(events) == 0 {
		return nil
	}
	for _, e := range events {
		if strings.EqualFold(e, event) {
			return nil
		}
	}
	return fmt.Errorf("the %s '%s' is not authorised", what, event)
}

func decodes(sender string, body []byte) error {
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		return fmt.Errorf("cannot decode %s webhook payload", sender)
	}
	return nil
}

func supportedTypes() string {
	names := make([]string, 0, len(verifiers))
	for t := range verifiers {
		names = append(names, t)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
