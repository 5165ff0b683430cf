// Package daytwotest tests the day-2 commands (get, reconcile, suspend,
// resume, delete, export, create, events, version, completion) end to end
// against one real kube-apiserver, shared because each costs seconds of a
// small machine. No controller runs: tests write status as one would.
package daytwotest
