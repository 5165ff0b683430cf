package notifier

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
)

// componentHeader names the controller that emitted the event, on every
// generic request, as Flux sends it.
const componentHeader = "gotk-component"

// generic posts the event itself, as JSON, to the address: what a Flux
// event server or any custom endpoint expects. With an HMAC key
// (generic-hmac) the body is signed in X-Signature: sha256=<hex HMAC>.
type generic struct {
	opts    Options
	hmacKey []byte
}

func newGeneric(o Options) (Notifier, error) {
	if _, err := parseURL("generic", o.URL); err != nil {
		return nil, err
	}
	return &generic{opts: o}, nil
}

func newGenericHMAC(o Options) (Notifier, error) {
	if _, err := parseURL("generic-hmac", o.URL); err != nil {
		return nil, err
	}
	if o.Token == "" {
		return nil, errors.New("generic-hmac needs the HMAC key in the token key of spec.secretRef")
	}
	return &generic{opts: o, hmacKey: []byte(o.Token)}, nil
}

func (g *generic) Post(ctx context.Context, e eventv1.Event) error {
	req, err := jsonRequest(g.opts.URL, e)
	if err != nil {
		return err
	}
	req.header.Set(componentHeader, e.ReportingController)
	if g.hmacKey != nil {
		mac := hmac.New(sha256.New, g.hmacKey)
		mac.Write(req.body)
		req.header.Set("X-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	}
	_, err = do(ctx, g.opts, req)
	return err
}
