// Package get is `tide get`: the status of sources and Kustomizations, as a
// table, JSON or YAML, once or as it changes (--watch).
package get

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
	"github.com/tidegitops/tide/cli/internal/objects"
	"github.com/tidegitops/tide/cli/internal/output"
)

type options struct {
	kube          *kube.Options
	allNamespaces bool
	output        string
	watch         bool
}

// New returns `tide get`.
func New(kopts *kube.Options) *cobra.Command {
	o := &options{kube: kopts}
	cmd := &cobra.Command{
		Use:   "get",
		Short: "Show the status of sources, Kustomizations and HelmReleases",
		Example: `  # Status of the GitRepositories in flux-system
  tide get sources git

  # Kustomizations in every namespace, as JSON
  tide get kustomizations -A -o json

  # Every source: Git, Helm repositories and charts, OCI
  tide get sources all

  # Everything, updating as it changes
  tide get all --watch`,
	}
	pf := cmd.PersistentFlags()
	pf.BoolVarP(&o.allNamespaces, "all-namespaces", "A", false, "List objects in all namespaces.")
	pf.StringVarP(&o.output, "output", "o", "table", "Output format: table, json or yaml.")
	pf.BoolVarP(&o.watch, "watch", "w", false, "Keep printing objects as they change, until interrupted.")

	objects.AddKindCommands(cmd, "sources", func(k *objects.Kind) *cobra.Command {
		c := &cobra.Command{
			Short: "Show the status of " + k.Plural,
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return o.run(cmd, []*objects.Kind{k}, false)
			},
		}
		if k == objects.Kustomization {
			c.Aliases = []string{"kustomizations"}
		}
		return c
	})
	for _, sub := range cmd.Commands() {
		// `get sources all`, `get images all`: every kind of the group.
		kinds := objects.KindsIn(strings.TrimSuffix(sub.Name(), "s"))
		if len(kinds) == 0 {
			continue
		}
		sub.AddCommand(&cobra.Command{
			Use:   "all",
			Short: "Show the status of every " + kinds[0].Words[0] + " kind",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return o.run(cmd, kinds, true)
			},
		})
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "all",
		Short: "Show the status of every source, Kustomization and HelmRelease",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return o.run(cmd, objects.FlowKinds, true)
		},
	})
	return cmd
}

func (o *options) run(cmd *cobra.Command, kinds []*objects.Kind, prefixed bool) error {
	switch o.output {
	case "table", "json", "yaml":
	default:
		return fmt.Errorf("unknown output format %q: use -o table, -o json or -o yaml", o.output)
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	s, err := objects.Connect(ctx, o.kube)
	if err != nil {
		return err
	}
	p := output.New(cmd.OutOrStdout())
	lists := make([][]objects.Row, len(kinds))
	versions := make([]string, len(kinds))
	for i, k := range kinds {
		items, rv, err := s.ListWithVersion(ctx, k, o.allNamespaces)
		if err != nil {
			return err
		}
		versions[i] = rv
		for _, obj := range items {
			lists[i] = append(lists[i], objects.RowFor(obj))
		}
	}
	if err := o.print(cmd, p, kinds, lists, prefixed); err != nil {
		return err
	}
	if !o.watch {
		return nil
	}
	return o.stream(ctx, s, p, kinds, lists, versions, prefixed)
}

// print writes the first listing: one section per kind for `get all`.
func (o *options) print(cmd *cobra.Command, p *output.Printer, kinds []*objects.Kind, lists [][]objects.Row, prefixed bool) error {
	switch o.output {
	case "json", "yaml":
		rows := []objects.Row{}
		for _, l := range lists {
			rows = append(rows, l...)
		}
		if o.watch {
			for _, r := range rows {
				if err := o.printDoc(p, r); err != nil {
					return err
				}
			}
			return nil
		}
		if o.output == "json" {
			return p.JSON(rows)
		}
		return p.YAML(rows)
	}
	empty := true
	for i, k := range kinds {
		if len(lists[i]) == 0 {
			continue
		}
		if !empty {
			fmt.Fprintln(p.Out)
		}
		empty = false
		cells := make([][]string, 0, len(lists[i]))
		for _, r := range lists[i] {
			cells = append(cells, r.Cells(o.allNamespaces, prefix(k, prefixed), p.Colour))
		}
		if err := p.Table(objects.HeadersFor(k, o.allNamespaces), cells); err != nil {
			return err
		}
	}
	if empty && o.watch {
		return p.Table(objects.Headers(o.allNamespaces), nil)
	}
	if empty {
		where := fmt.Sprintf("namespace '%s'", o.namespace())
		if o.allNamespaces {
			where = "any namespace"
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "no %s found in %s\n", names(kinds), where)
	}
	return nil
}

func (o *options) printDoc(p *output.Printer, r objects.Row) error {
	if o.output == "json" {
		return p.JSON(r)
	}
	fmt.Fprintln(p.Out, "---")
	return p.YAML(r)
}

func (o *options) namespace() string {
	if o.kube.Namespace == "" {
		return kube.DefaultNamespace
	}
	return o.kube.Namespace
}

func prefix(k *objects.Kind, prefixed bool) string {
	if !prefixed {
		return ""
	}
	return strings.ToLower(k.Kind) + "/"
}

func names(kinds []*objects.Kind) string {
	switch {
	case len(kinds) == 1 && kinds[0].IsSource():
		return kinds[0].Kind + " sources"
	case len(kinds) == 1:
		return kinds[0].Plural
	case !slices.ContainsFunc(kinds, func(k *objects.Kind) bool { return k.Words[0] != "image" }):
		return "image automation objects"
	case slices.ContainsFunc(kinds, func(k *objects.Kind) bool { return !k.IsSource() }):
		return "sources or kustomizations"
	}
	return "sources"
}

// stream prints a row each time an object changes, until ctx ends.
func (o *options) stream(ctx context.Context, s *objects.Session, p *output.Printer, kinds []*objects.Kind, lists [][]objects.Row, versions []string, prefixed bool) error {
	widths := objects.Widths(objects.Headers(o.allNamespaces), nil)
	for i, k := range kinds {
		for _, r := range lists[i] {
			widths = objects.Widths(widths, r.Cells(o.allNamespaces, prefix(k, prefixed), func(s string) string { return s }))
		}
	}
	events := make(chan objects.Change)
	errs := make(chan error, len(kinds))
	for i, k := range kinds {
		go func() { errs <- s.Watch(ctx, k, o.allNamespaces, versions[i], events) }()
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errs:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case ch := <-events:
			r := objects.RowFor(ch.Object)
			if ch.Deleted {
				r.Message = "deleted"
			}
			if o.output != "table" {
				if err := o.printDoc(p, r); err != nil {
					return err
				}
				continue
			}
			k, _ := objects.KindFor(r.Kind)
			plain := r.Cells(o.allNamespaces, prefix(k, prefixed), func(s string) string { return s })
			objects.PrintAligned(p.Out, widths, plain, p.Colour)
		}
	}
}
