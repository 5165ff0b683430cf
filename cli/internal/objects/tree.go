package objects

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tidegitops/tide/cli/internal/kube"
)

// AddKindCommands adds under parent one command per kind, as the CLI names
// them: `<parent> source git ...`, `<parent> image policy ...` and
// `<parent> kustomization ...`. sourceWord is "source" (or "sources" for
// get): a group of kinds is named by its first word, plural when sourceWord
// is ("images"), with the other form as an alias. leaf builds each kind's
// command; AddKindCommands prefixes its Use with the kind's last word.
func AddKindCommands(parent *cobra.Command, sourceWord string, leaf func(k *Kind) *cobra.Command) {
	groups := map[string]*cobra.Command{}
	for _, k := range Kinds {
		cmd := leaf(k)
		last := k.Words[len(k.Words)-1]
		cmd.Use = strings.TrimSpace(last + " " + cmd.Use)
		cmd.Aliases = append(cmd.Aliases, k.CommandAliases...)
		if len(k.Words) == 1 {
			parent.AddCommand(cmd)
			continue
		}
		word, other := k.Words[0], k.Words[0]+"s"
		if sourceWord == "sources" {
			word, other = other, word
		}
		group := groups[word]
		if group == nil {
			group = &cobra.Command{
				Use:     word,
				Aliases: []string{other},
				Short:   parent.Name() + " " + k.Words[0] + "s",
			}
			groups[word] = group
			parent.AddCommand(group)
		}
		group.AddCommand(cmd)
	}
}

// CompleteNames completes the first argument with the names of k's objects
// in the -n namespace.
func CompleteNames(opts *kube.Options, k *Kind) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		s, err := Connect(ctx, opts)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		items, err := s.List(ctx, k, false)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, o := range items {
			if strings.HasPrefix(o.GetName(), toComplete) {
				names = append(names, o.GetName())
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
