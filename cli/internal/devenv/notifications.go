package devenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	notificationv1 "github.com/tidegitops/tide/api/notification/v1"
	"github.com/tidegitops/tide/cli/internal/install"
	"github.com/tidegitops/tide/cli/internal/kube"
)

// The demo's notifications (examples/notifications): the Receiver the Git
// server calls after each push, the Secret holding its token (made by dev
// up, so no token is committed), and the log the Alert's Provider feeds.
const (
	DemoReceiver      = "fleet-push"
	ReceiverSecret    = "receiver-token"
	NotificationsLog  = "notifications.log"
	maxEventBodyBytes = 1 << 20
)

// startNotificationLog serves the demo Alert's generic Provider on
// 127.0.0.1: each event it posts becomes one line of logs/notifications.log.
func (e *Env) startNotificationLog(context.Context) error {
	f, err := os.Create(e.path("logs", NotificationsLog))
	if err != nil {
		return err
	}
	addr, err := e.freeAddr()
	if err != nil {
		f.Close()
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		f.Close()
		return err
	}
	var mu sync.Mutex
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		line, err := eventLine(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		_, _ = f.WriteString(line)
	})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			select {
			case e.exited <- err:
			default:
			}
		}
	}()
	e.stoppers = append(e.stoppers, stopFunc(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
		f.Close()
	}))
	e.NotifyURL = "http://" + addr + "/"
	e.cfg.Out.Success("notification log endpoint running: %s (one line per event in %s)", e.NotifyURL, e.path("logs", NotificationsLog))
	return nil
}

// event is what a generic Provider posts: Flux's event JSON, the fields a
// line shows.
type event struct {
	InvolvedObject struct{ Kind, Namespace, Name string } `json:"involvedObject"`
	Severity       string                                 `json:"severity"`
	Reason         string                                 `json:"reason"`
	Message        string                                 `json:"message"`
	Metadata       map[string]string                      `json:"metadata"`
}

func eventLine(r *http.Request) (string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxEventBodyBytes+1))
	if err != nil {
		return "", err
	}
	if len(body) > maxEventBodyBytes {
		return "", fmt.Errorf("event larger than %d bytes", maxEventBodyBytes)
	}
	var ev event
	if err := json.Unmarshal(body, &ev); err != nil {
		return "", fmt.Errorf("not an event: %v", err)
	}
	o := ev.InvolvedObject
	msg := strings.ReplaceAll(strings.TrimSpace(ev.Message), "\n", "; ")
	return fmt.Sprintf("%s %s %s/%s/%s %s revision=%s: %s\n", time.Now().UTC().Format(time.RFC3339),
		ev.Severity, o.Kind, o.Namespace, o.Name, ev.Reason, revision(ev.Metadata), msg), nil
}

// revision is the event's revision, under "revision" or, when the group
// prefix was kept, "<group>/revision".
func revision(metadata map[string]string) string {
	for k, v := range metadata {
		if k == "revision" || strings.HasSuffix(k, "/revision") {
			return v
		}
	}
	return ""
}

// receiverToken is the demo Receiver's token Secret, random each run.
func receiverToken() (map[string]string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return map[string]string{"token": hex.EncodeToString(b)}, nil
}

// connectReceiver waits for the demo Receiver's webhook path and points
// the Git server's post-push call at it.
func (e *Env) connectReceiver(ctx context.Context) error {
	c, err := e.client()
	if err != nil {
		return err
	}
	key := client.ObjectKey{Namespace: kube.DefaultNamespace, Name: DemoReceiver}
	msg := fmt.Sprintf("waiting for Receiver/%s/%s's webhook path", key.Namespace, key.Name)
	var path string
	if err := install.Poll(ctx, e.cfg.Out, e.cfg.Timeout, msg, func(ctx context.Context) (string, error) {
		r := &notificationv1.Receiver{}
		if err := c.Get(ctx, key, r); apierrors.IsNotFound(err) {
			return "not created yet", nil
		} else if err != nil {
			return "", err
		}
		if path = r.Status.WebhookPath; path == "" {
			return "no webhook path yet", nil
		}
		return "", nil
	}); err != nil {
		return err
	}
	e.ReceiverURL = "http://" + e.receiverAddr + path
	e.git.setHook(e.ReceiverURL)
	e.cfg.Out.Success("the Git server calls Receiver/%s/%s after each push to %s", key.Namespace, key.Name, DemoRepo)
	return nil
}

// callHook tells the Receiver at url that fleet.git changed. A failure
// only costs the wait until the next poll, so it is logged, not returned.
func callHook(url string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader([]byte(`{"repository":"`+DemoRepo+`"}`)))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Printf("post-receive: calling the Receiver: %v", err)
		return
	}
	resp.Body.Close()
	log.Printf("post-receive: Receiver answered %s", resp.Status)
}
