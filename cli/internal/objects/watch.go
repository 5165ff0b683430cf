package objects

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Change is one object as a watch saw it.
type Change struct {
	Object  Object
	Deleted bool
}

// ListWithVersion is List, and the list's resourceVersion to watch from.
func (s *Session) ListWithVersion(ctx context.Context, k *Kind, all bool) ([]Object, string, error) {
	list := k.NewList()
	if err := s.Client.List(ctx, list, s.scope(all)...); err != nil {
		if notServed(err) {
			return nil, "", NotServed(k)
		}
		return nil, "", fmt.Errorf("list %s objects: %w", k.Kind, err)
	}
	items := k.Items(list)
	sortObjects(items)
	rv := ""
	if l, err := meta.ListAccessor(list); err == nil {
		rv = l.GetResourceVersion()
	}
	return items, rv, nil
}

func (s *Session) scope(all bool) []client.ListOption {
	if all {
		return nil
	}
	return []client.ListOption{client.InNamespace(s.Namespace)}
}

// Watch sends every change to k's objects after resourceVersion rv to out,
// until ctx ends. It resumes when the apiserver closes the watch, and
// lists again when rv has expired.
func (s *Session) Watch(ctx context.Context, k *Kind, all bool, rv string, out chan<- Change) error {
	for ctx.Err() == nil {
		opts := append(s.scope(all), &client.ListOptions{Raw: &metav1.ListOptions{ResourceVersion: rv, AllowWatchBookmarks: true}})
		w, err := s.Client.Watch(ctx, k.NewList(), opts...)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("watch %s objects: %w", k.Kind, err)
		}
		rv, err = s.drain(ctx, k, w, rv, out)
		w.Stop()
		if err != nil {
			return err
		}
		if rv == "" { // expired: list again and send everything
			var items []Object
			items, rv, err = s.ListWithVersion(ctx, k, all)
			if err != nil {
				return err
			}
			for _, o := range items {
				select {
				case out <- Change{Object: o}:
				case <-ctx.Done():
					return nil
				}
			}
		}
	}
	return nil
}

// drain forwards events until the watch ends; it returns the last
// resourceVersion seen, or "" when the apiserver says it expired.
func (s *Session) drain(ctx context.Context, k *Kind, w watch.Interface, rv string, out chan<- Change) (string, error) {
	for {
		select {
		case <-ctx.Done():
			return rv, nil
		case ev, ok := <-w.ResultChan():
			if !ok {
				return rv, nil
			}
			switch ev.Type {
			case watch.Error:
				err := apierrors.FromObject(ev.Object)
				if apierrors.IsGone(err) || apierrors.IsResourceExpired(err) {
					return "", nil
				}
				return rv, fmt.Errorf("watch %s objects: %w", k.Kind, err)
			case watch.Bookmark:
				if m, err := meta.Accessor(ev.Object); err == nil {
					rv = m.GetResourceVersion()
				}
				continue
			}
			obj, ok := ev.Object.(Object)
			if !ok {
				continue
			}
			obj.GetObjectKind().SetGroupVersionKind(k.GVK())
			rv = obj.GetResourceVersion()
			select {
			case out <- Change{Object: obj, Deleted: ev.Type == watch.Deleted}:
			case <-ctx.Done():
				return rv, nil
			}
		}
	}
}

// Widths returns, per column, the wider of widths and cells.
func Widths(widths, cells []string) []string {
	if cells == nil {
		return widths
	}
	out := make([]string, len(cells))
	for i, c := range cells {
		w := ""
		if i < len(widths) {
			w = widths[i]
		}
		if utf8.RuneCountInString(c) > utf8.RuneCountInString(w) {
			w = c
		}
		out[i] = w
	}
	return out
}

// PrintAligned prints one table row padded to the widths of the widest
// cells seen (as Widths computed), colouring the READY cell with colour.
func PrintAligned(w io.Writer, widths, cells []string, colour func(string) string) {
	var b strings.Builder
	ready := len(cells) - 2
	for i, c := range cells {
		pad := 0
		if i < len(widths) {
			pad = utf8.RuneCountInString(widths[i]) - utf8.RuneCountInString(c)
		}
		if i == ready {
			c = colour(c)
		}
		b.WriteString(c)
		if i < len(cells)-1 {
			b.WriteString(strings.Repeat(" ", max(pad, 0)+3))
		}
	}
	fmt.Fprintln(w, b.String())
}
