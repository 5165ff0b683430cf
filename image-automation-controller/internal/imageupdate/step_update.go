package imageupdate

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/gitclient"
	"github.com/tidegitops/tide/image-automation-controller/internal/setters"
	"github.com/tidegitops/tide/skeleton"
)

// group is the policies whose updates go into one commit on one branch.
type group struct {
	branch   string
	policies []imagev1.ImagePolicy
}

// update clones, rewrites the markers, commits and pushes, once per push
// branch, and records the run in status. Files left untouched (they do not
// parse) and markers naming a policy that does not exist fail the run after
// the other updates were pushed, so the user sees them.
func (r *Reconciler) update(ctx context.Context, s *scope) error {
	log := ctrl.LoggerFrom(ctx)
	// A skipped run is a run too: Flux's field counts every run through to
	// the end, update or not (flux get images update shows it as Last run).
	s.obj.Status.LastAutomationRunTime = &metav1.Time{Time: s.start}
	if s.skipped {
		log.V(1).Info("no change since last reconciliation", "revision", s.revision)
		return nil
	}
	groups, err := groupsOf(s)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp(r.WorkDir, "imageupdate-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var problems problemList
	for i, g := range groups {
		if err := r.updateBranch(ctx, s, filepath.Join(dir, fmt.Sprint(i)), g, &problems); err != nil {
			return err
		}
	}
	s.obj.Status.ObservedPolicies = s.observed
	s.obj.Status.ObservedSourceRevision = s.revision
	return problems.err()
}

// updateBranch makes and pushes the commit of one group.
func (r *Reconciler) updateBranch(ctx context.Context, s *scope, dir string, g group, problems *problemList) error {
	spec := s.obj.Spec.GitSpec
	var templateErr error
	var message string // of the last attempt
	opts := gitclient.UpdateOptions{
		URL: s.repo.Spec.URL, Auth: s.auth, Checkout: s.checkout, Branch: g.branch,
		Author: gitclient.Person{Name: spec.Commit.Author.Name, Email: spec.Commit.Author.Email},
		Signer: s.signer,
		ChangeFiles: func(files fs.FS) (string, map[string][]byte, error) {
			root, err := updateRoot(files, s.obj.GetUpdatePath())
			if err != nil {
				return "", nil, err
			}
			result, report, changed, err := setters.UpdateFS(files, root, settersOf(g.policies))
			if err != nil {
				return "", nil, fmt.Errorf("%w under %q: %s", errSetters, s.obj.GetUpdatePath(), err)
			}
			problems.add(s, report)
			if result.Empty() {
				return "", nil, nil
			}
			msg, err := render(s.message, TemplateData{
				AutomationObject: types.NamespacedName{Namespace: s.obj.Namespace, Name: s.obj.Name},
				Changed:          result, Values: spec.Commit.MessageTemplateValues,
			})
			if err == nil && strings.TrimSpace(msg) == "" {
				err = errors.New("it renders to an empty message")
			}
			if err != nil {
				templateErr = err
				return "", nil, err
			}
			message = msg
			return msg, changed, nil
		},
	}
	if p := spec.Push; p != nil {
		opts.PushOptions = p.Options
		if p.Refspec != "" {
			opts.Refspecs = []string{p.Refspec}
		}
	}
	// Each attempt clones and pushes: bound it by the GitRepository's
	// timeout per operation, for the (few) attempts a race may take.
	ctx, cancel := context.WithTimeout(ctx, 5*s.timeout)
	defer cancel()
	res, err := gitclient.Update(ctx, dir, opts)
	switch {
	case templateErr != nil:
		return skeleton.Stall(imagev1.UpdateFailedReason,
			"spec.git.commit.messageTemplate cannot be executed: %s: fix the template (its data are .AutomationObject, .Changed and .Values)", templateErr)
	case err != nil && (errors.Is(err, errUpdatePath) || errors.Is(err, errSetters)):
		return skeleton.Retryf(imagev1.UpdateFailedReason, "%s", err)
	case err != nil:
		return gitError(err, fmt.Sprintf("cannot update branch '%s'", opts.Branch))
	}
	if res.Commit == "" {
		return nil
	}
	refspec := ""
	if len(opts.Refspecs) > 0 {
		refspec = opts.Refspecs[0]
	}
	s.pushes = append(s.pushes, pushed{commit: res.Commit, branch: res.Branch, refspec: refspec, message: message})
	s.obj.Status.LastPushCommit = res.Commit
	s.obj.Status.LastPushTime = &metav1.Time{Time: s.start}
	if res.Branch == s.checkout.Branch && s.checkout.Commit == "" {
		// The checkout branch now points at our commit: the next run sees
		// it as the revision it already handled.
		s.revision = res.Branch + "@sha1:" + res.Commit
	}
	return nil
}

// groupsOf splits the selected policies by push branch: one group when
// spec.git.push.branch is a plain name, else one per branch it renders.
func groupsOf(s *scope) ([]group, error) {
	if s.branches == nil {
		return []group{{branch: pushBranch(s), policies: s.selected}}, nil
	}
	var out []group
	index := map[string]int{}
	for _, p := range s.selected {
		ref := p.Status.LatestRef
		b, err := s.branches.render(BranchData{
			Policy: p.Name, Namespace: p.Namespace, Image: ref.Name, Tag: ref.Tag, Digest: ref.Digest,
			AutomationObject: types.NamespacedName{Namespace: s.obj.Namespace, Name: s.obj.Name},
			Values:           s.obj.Spec.GitSpec.Commit.MessageTemplateValues,
		})
		if err == nil {
			err = plumbing.NewBranchReferenceName(b).Validate()
		}
		if err != nil {
			return nil, skeleton.Stall(imagev1.InvalidSourceConfigReason, "spec.git.push.branch: %s: fix the template", err)
		}
		i, ok := index[b]
		if !ok {
			i = len(out)
			index[b] = i
			out = append(out, group{branch: b})
		}
		out[i].policies = append(out[i].policies, p)
	}
	return out, nil
}

var (
	errUpdatePath = errors.New("spec.update.path")
	errSetters    = errors.New("rewriting the markers")
)

// updateRoot is spec.update.path in the commit's files, which must be a
// folder (reading them never follows a symlink).
func updateRoot(files fs.FS, p string) (string, error) {
	root := strings.TrimPrefix(path.Clean("/"+p), "/")
	if root == "" {
		return ".", nil
	}
	info, err := fs.Stat(files, root)
	switch {
	case err != nil:
		return "", fmt.Errorf("%w %q does not exist in the repository: fix the path, or add it to the repository", errUpdatePath, p)
	case !info.IsDir():
		return "", fmt.Errorf("%w %q is not a folder (or is a symlink): give the real path of a folder", errUpdatePath, p)
	}
	return root, nil
}
