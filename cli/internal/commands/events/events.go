// Package events is `tide events`: what the controllers (and Kubernetes)
// reported about objects, oldest first, optionally for one object and as
// it happens.
package events

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/duration"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/cli/internal/output"
)

type options struct {
	kube          *kube.Options
	allNamespaces bool
	forObject     string
	watch         bool
}

// New returns `tide events`.
func New(kopts *kube.Options) *cobra.Command {
	o := &options{kube: kopts}
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Show the events of a namespace, or of one object",
		Example: `  # Everything that happened in flux-system
  tide events

  # Why a Kustomization is not ready, as it happens
  tide events --for Kustomization/apps --watch`,
		Args: cobra.NoArgs,
		RunE: o.run,
	}
	f := cmd.Flags()
	f.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "Show events of every namespace.")
	f.StringVar(&o.forObject, "for", "", "Only events of this object, as Kind/name (e.g. Kustomization/apps, ks/apps).")
	f.BoolVarP(&o.watch, "watch", "w", false, "Keep printing new events, until interrupted.")
	return cmd
}

// filter matches events about one object.
type filter struct{ kind, name string }

func parseFor(s string) (*filter, error) {
	if s == "" {
		return nil, nil
	}
	kind, name, ok := strings.Cut(s, "/")
	if !ok || kind == "" || name == "" {
		return nil, fmt.Errorf("--for %q: use Kind/name, e.g. --for Kustomization/apps", s)
	}
	if k, err := objects.KindFor(kind); err == nil {
		kind = k.Kind
	}
	return &filter{kind: kind, name: name}, nil
}

func (f *filter) match(ev *corev1.Event) bool {
	return f == nil || (strings.EqualFold(ev.InvolvedObject.Kind, f.kind) && ev.InvolvedObject.Name == f.name)
}

func (o *options) run(cmd *cobra.Command, _ []string) error {
	f, err := parseFor(o.forObject)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	s, err := objects.Connect(ctx, o.kube)
	if err != nil {
		return err
	}
	var scope []client.ListOption
	if !o.allNamespaces {
		scope = append(scope, client.InNamespace(s.Namespace))
	}
	if f != nil {
		scope = append(scope, client.MatchingFields{"involvedObject.name": f.name})
	}
	list := &corev1.EventList{}
	if err := s.Client.List(ctx, list, scope...); err != nil {
		return fmt.Errorf("list events: %w", err)
	}
	var evs []corev1.Event
	for i := range list.Items {
		if f.match(&list.Items[i]) {
			evs = append(evs, list.Items[i])
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return lastSeen(&evs[i]).Before(lastSeen(&evs[j])) })
	p := output.New(cmd.OutOrStdout())
	rows := make([][]string, 0, len(evs))
	for i := range evs {
		rows = append(rows, o.cells(&evs[i]))
	}
	if len(rows) == 0 && !o.watch {
		fmt.Fprintf(cmd.ErrOrStderr(), "no events found%s\n", o.where(s, f))
		return nil
	}
	if err := p.Table(o.headers(), rows); err != nil {
		return err
	}
	if !o.watch {
		return nil
	}
	return o.stream(ctx, s, p, f, scope, list.ResourceVersion)
}

func (o *options) where(s *objects.Session, f *filter) string {
	w := fmt.Sprintf(" in namespace '%s'", s.Namespace)
	if o.allNamespaces {
		w = ""
	}
	if f != nil {
		w = fmt.Sprintf(" for %s/%s", f.kind, f.name) + w
	}
	return w
}

func (o *options) headers() []string {
	h := []string{"LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"}
	if o.allNamespaces {
		h = append([]string{"NAMESPACE"}, h...)
	}
	return h
}

func (o *options) cells(ev *corev1.Event) []string {
	age := "<unknown>"
	if t := lastSeen(ev); !t.IsZero() {
		age = duration.HumanDuration(time.Since(t))
	}
	c := []string{age, ev.Type, ev.Reason,
		ev.InvolvedObject.Kind + "/" + ev.InvolvedObject.Name,
		strings.TrimSpace(strings.ReplaceAll(ev.Message, "\n", " "))}
	if o.allNamespaces {
		c = append([]string{ev.Namespace}, c...)
	}
	return c
}

// lastSeen is when the event last happened, whichever field the reporter set.
func lastSeen(ev *corev1.Event) time.Time {
	switch {
	case !ev.LastTimestamp.IsZero():
		return ev.LastTimestamp.Time
	case !ev.EventTime.IsZero():
		return ev.EventTime.Time
	case !ev.FirstTimestamp.IsZero():
		return ev.FirstTimestamp.Time
	}
	return ev.CreationTimestamp.Time
}

func (o *options) stream(ctx context.Context, s *objects.Session, p *output.Printer, f *filter, scope []client.ListOption, rv string) error {
	widths := objects.Widths(o.headers(), nil)
	for ctx.Err() == nil {
		opts := append(scope, &client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: rv}})
		w, err := s.Client.Watch(ctx, &corev1.EventList{}, opts...)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("watch events: %w", err)
		}
		rv = o.drain(ctx, w, p, f, widths, rv)
		w.Stop()
	}
	return nil
}

// drain prints events until the watch ends; it returns the resourceVersion
// to resume from ("" to start from now, when the old one expired).
func (o *options) drain(ctx context.Context, w watch.Interface, p *output.Printer, f *filter, widths []string, rv string) string {
	for {
		select {
		case <-ctx.Done():
			return rv
		case ev, ok := <-w.ResultChan():
			if !ok {
				return rv
			}
			if ev.Type == watch.Error {
				return ""
			}
			e, ok := ev.Object.(*corev1.Event)
			if !ok {
				continue
			}
			rv = e.ResourceVersion
			if ev.Type == watch.Deleted || !f.match(e) {
				continue
			}
			objects.PrintAligned(p.Out, widths, o.cells(e), func(s string) string { return s })
		}
	}
}
