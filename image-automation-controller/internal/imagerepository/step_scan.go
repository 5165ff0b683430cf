package imagerepository

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	imagev1 "github.com/tidegitops/tide/api/image/v1"
	"github.com/tidegitops/tide/image-automation-controller/internal/registry"
	"github.com/tidegitops/tide/skeleton"
)

// scan lists the image's tags within spec.timeout, drops the excluded
// ones, records the rest in the tag store and the outcome in the status.
// A failed scan changes neither: the policies keep choosing from the last
// good tags.
func (r *Reconciler) scan(ctx context.Context, s *scope) error {
	obj := s.obj
	if s.scanReason == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, obj.GetTimeout())
	defer cancel()
	tags, err := s.client.ListTags(ctx, s.repo)
	if err != nil {
		return scanError(s, err)
	}
	kept := tags[:0]
	for _, tag := range tags {
		if !slices.ContainsFunc(s.excluded, func(re *regexp.Regexp) bool { return re.MatchString(tag) }) {
			kept = append(kept, tag)
		}
	}
	revision, err := r.Tags.Set(s.key, kept)
	if err != nil {
		return skeleton.Retry(imagev1.ReadOperationFailedReason, err)
	}
	slices.SortFunc(kept, func(a, b string) int { return strings.Compare(b, a) })
	var latest []string
	if len(kept) > 0 {
		latest = slices.Clone(kept[:min(len(kept), latestTagsCount)])
	}
	obj.Status.LastScanResult = &imagev1.ScanResult{
		Revision:   revision,
		TagCount:   len(kept),
		ScanTime:   metav1.Now(),
		LatestTags: latest,
	}
	obj.Status.CanonicalImageName = s.repo.String()
	obj.Status.ObservedExclusionList = slices.Clone(obj.GetExclusionList())
	return nil
}

// scanError says what a failed scan means for the user, with Flux's
// reason. What a change outside the object fixes (a push, the registry's
// credentials, its rate limit) is tried again at the interval; trouble
// reaching the registry is retried with backoff.
func scanError(s *scope, err error) error {
	msg := "scan failed: " + err.Error()
	interval := s.obj.Spec.Interval.Duration
	switch {
	case errors.Is(err, registry.ErrUnauthorized), errors.Is(err, registry.ErrNotFound), errors.Is(err, registry.ErrRateLimited):
		return skeleton.Wait(interval, imagev1.ReadOperationFailedReason, "%s", msg)
	case errors.Is(err, context.DeadlineExceeded):
		return skeleton.Retryf(imagev1.ReadOperationFailedReason,
			"%s: the registry did not answer within %s: raise spec.timeout, or check that the registry is reachable from the controller", msg, s.obj.GetTimeout())
	case errors.Is(err, registry.ErrTLS):
		return skeleton.Retry(imagev1.ReadOperationFailedReason, errors.New(msg))
	default:
		return skeleton.Retry(imagev1.ReadOperationFailedReason,
			fmt.Errorf("%s: check spec.image and that the registry is reachable from the controller", msg))
	}
}
