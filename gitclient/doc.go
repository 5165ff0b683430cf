// Package gitclient is Tide's Git layer (clone, resolve, auth, verify),
// written on go-git v5, shared by the source- and image-automation-controllers.
// It knows nothing of Kubernetes objects.
//
// # Refs
//
// A Ref mirrors the API's GitRepositoryRef (convert with
// gitclient.Ref(*spec.Reference)). Precedence, as in Flux: Commit > Name >
// SemVer > Tag > Branch; the zero Ref is branch "master". Revisions read:
//
//	branch          main@sha1:<commit>
//	tag             v1.2.0@sha1:<commit>      (annotated tags are peeled)
//	semver          v1.2.0@sha1:<commit>      (the highest tag in the range)
//	name            refs/pull/1/head@sha1:<commit>
//	commit          sha1:<commit>
//	commit+branch   main@sha1:<commit>
//
// # Operations
//
//	AuthFromSecret(repoURL, secret.Data) (*Auth, error)
//	(*Auth).WithProxy(address, username, password) (*Auth, error)
//	Resolve(ctx, repoURL, auth, ref) (Resolved, error)     // one ref advertisement, no clone
//	Checkout(ctx, repoURL, auth, ref, dir, opts) (*Commit, error)
//	VerifyCommit(commit, verifySecret.Data) (fingerprint, error)
//	VerifyTag(commit, verifySecret.Data) (fingerprint, error)
//	Update(ctx, dir, UpdateOptions) (UpdateResult, error)  // clone, change, commit, push; retried on a lost race, never forced
//	SignerFromSecret("gpg"|"ssh", signingSecret.Data) (*Signer, error)
//
// Timeouts come from ctx. A nil *Auth is anonymous HTTP(S); SSH needs an
// Auth with an identity and known_hosts.
//
// # Errors
//
// Errors wrap one of ErrRefNotFound (ErrRepositoryNotFound is a kind of it),
// ErrAuthFailed, ErrUnreachable, ErrInvalidAuth or ErrVerification (and for
// Update and SignerFromSecret ErrPushRejected, ErrLostRace, ErrSigningKey); test
// with errors.Is. The underlying go-git, net or crypto error stays in the
// chain. Messages say what to fix, name secret keys but never their values,
// and never contain credentials: the userinfo of URLs and the passwords and
// tokens of the Auth are replaced by "***".
package gitclient
