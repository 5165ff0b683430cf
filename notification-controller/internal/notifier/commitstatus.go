package notifier

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	eventv1 "github.com/fluxcd/pkg/apis/event/v1beta1"
	"github.com/fluxcd/pkg/apis/meta"
)

// CommitStatusID is the status id (GitHub's context, GitLab's name) Flux
// gives a commit status when the Provider has no commitStatusExpr:
// kind/name/<first part of the Provider's UID>, in lower case, so that two
// clusters reporting on one commit keep apart.
func CommitStatusID(providerUID string, e eventv1.Event) string {
	uidStart, _, _ := strings.Cut(providerUID, "-")
	return strings.ToLower(fmt.Sprintf("%s/%s/%s", e.InvolvedObject.Kind, e.InvolvedObject.Name, uidStart))
}

// commitStatus is what the Git types report for an event.
type commitStatus struct {
	sha         string
	success     bool
	description string
}

// skipCommitStatus reports events the Git types ignore: progress, which
// would flip a status back and forth during a reconciliation.
func skipCommitStatus(e eventv1.Event) bool {
	return e.Reason == meta.ProgressingReason
}

// commitStatusFor reads the commit from the event's revision metadata
// (commit, originRevision or revision, in that order) and describes the
// event as Flux does: its reason split into lower-case words.
func commitStatusFor(e eventv1.Event) (commitStatus, error) {
	rev, ok := e.GetRevision()
	if !ok {
		return commitStatus{}, fmt.Errorf("the event has no revision metadata to set a commit status on")
	}
	sha, err := commitOf(rev)
	if err != nil {
		return commitStatus{}, err
	}
	return commitStatus{
		sha:         sha,
		success:     e.Severity != eventv1.EventSeverityError,
		description: strings.ToLower(strings.Join(splitCamelCase(e.Reason), " ")),
	}, nil
}

var hexCommit = regexp.MustCompile(`^[0-9a-f]{40}([0-9a-f]{24})?$`)

// commitOf takes the commit hash out of a Flux revision: "main@sha1:<hex>",
// "sha1:<hex>", the older "main/<hex>", or a bare hash.
// HasGitCommit reports whether a revision holds a Git commit hash.
func HasGitCommit(rev string) bool {
	_, err := commitOf(rev)
	return err == nil
}

func commitOf(rev string) (string, error) {
	s := rev
	if i := strings.LastIndex(s, "@"); i >= 0 {
		s = s[i+1:]
	}
	if _, h, ok := strings.Cut(s, ":"); ok {
		s = h
	}
	if i := strings.LastIndex(s, "/"); i >= 0 {
		s = s[i+1:]
	}
	if !hexCommit.MatchString(s) {
		return "", fmt.Errorf("failed to extract commit hash from '%s' revision", rev)
	}
	return s, nil
}

// splitCamelCase splits "ReconciliationSucceeded" into its words, keeping
// acronyms together ("HTTPError": "HTTP", "Error").
func splitCamelCase(s string) []string {
	var words []string
	runes := []rune(s)
	start := 0
	for i := 1; i <= len(runes); i++ {
		if i == len(runes) {
			words = append(words, string(runes[start:i]))
			break
		}
		prev, cur := runes[i-1], runes[i]
		boundary := class(prev) != class(cur)
		// "HTTPError": the last capital of a run starts the next word.
		if unicode.IsUpper(prev) && unicode.IsLower(cur) {
			if i-1 > start {
				words = append(words, string(runes[start:i-1]))
				start = i - 1
			}
			continue
		}
		if boundary {
			words = append(words, string(runes[start:i]))
			start = i
		}
	}
	return words
}

func class(r rune) int {
	switch {
	case unicode.IsLower(r):
		return 1
	case unicode.IsUpper(r):
		return 2
	case unicode.IsDigit(r):
		return 3
	}
	return 4
}

// gitRepository splits a Provider address (https://host/owner/repo(.git),
// or an ssh:// or scp-like address) into the server's base URL and the
// repository path.
func gitRepository(address string) (base *url.URL, repoPath string, err error) {
	a := address
	if !strings.Contains(a, "://") && strings.Contains(a, ":") {
		// git@host:owner/repo
		userHost, p, _ := strings.Cut(a, ":")
		if _, host, ok := strings.Cut(userHost, "@"); ok {
			userHost = host
		}
		a = "ssh://" + userHost + "/" + p
	}
	u, err := url.Parse(a)
	if err != nil || u.Host == "" {
		return nil, "", fmt.Errorf("invalid Git repository address %q: set spec.address to the repository's URL, e.g. https://github.com/org/repo", address)
	}
	scheme := u.Scheme
	if scheme == "ssh" {
		scheme = "https"
	}
	repoPath = strings.TrimSuffix(strings.Trim(u.Path, "/"), ".git")
	if !strings.Contains(repoPath, "/") {
		return nil, "", fmt.Errorf("invalid Git repository address %q: it names no owner/repository", address)
	}
	host := u.Hostname()
	if u.Port() != "" && u.Scheme != "ssh" {
		host = u.Host
	}
	return &url.URL{Scheme: scheme, Host: host}, repoPath, nil
}
