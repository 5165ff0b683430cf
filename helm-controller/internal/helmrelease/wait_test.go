package helmrelease

import (
	"context"
	"testing"
	"time"

	"github.com/fluxcd/pkg/apis/meta"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	helmv2 "github.com/tidegitops/tide/api/helm/v2"
	"github.com/tidegitops/tide/testkit"
)

// jobTemplate is a Job; no controller-manager runs here, so the tests
// write its status as the Job controller would. hook is the value of its
// helm.sh/hook annotation ("" for none).
func jobTemplate(hook string) string {
	annotations := ""
	if hook != "" {
		annotations = "\n  annotations:\n    helm.sh/hook: " + hook
	}
	return `apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-job` + annotations + `
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: job
        image: registry.example/job:1.0.0
`
}

// The poller's waits read each of the release's objects and nothing else:
// Helm's own kstatus waiter watched every ConfigMap and Service of the
// namespace at each wait, so that a thousand releases in one namespace
// cost N² (see BenchmarkHelmReleases).
func TestWaitsReadOnlyTheReleaseObjects(t *testing.T) {
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0"})
	hr := newRelease(ns, "app", hc.Name)
	create(t, hr)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
	NewWithT(t).Expect(env.watches.matching("/namespaces/"+ns+"/")).To(BeEmpty(),
		"the release's wait watched its namespace")
}

// A Deployment whose rollout fails (past its progress deadline) fails the
// install at once, not at the end of the timeout.
func TestFailedRolloutFailsFast(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0",
		extra: map[string]string{"deployment.yaml": deploymentTemplate}})
	hr := newRelease(ns, "app", hc.Name)
	hr.Spec.Timeout = &metav1.Duration{Duration: 10 * time.Minute}
	create(t, hr)

	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "app"}}
	g.Eventually(func() error {
		return env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(dep), dep)
	}, testkit.Timeout).Should(Succeed())
	dep.Status = appsv1.DeploymentStatus{
		ObservedGeneration: dep.Generation, Replicas: 1, UnavailableReplicas: 1,
		Conditions: []appsv1.DeploymentCondition{{
			Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded",
			Message: `ReplicaSet "app-5d4f" has timed out progressing.`,
		}},
	}
	g.Expect(env.cp.Client.Status().Update(context.Background(), dep)).To(Succeed())

	start := time.Now()
	waitReady(t, hr, metav1.ConditionFalse, helmv2.InstallFailedReason)
	g.Expect(time.Since(start)).To(BeNumerically("<", time.Minute))
	g.Expect(conditionMessage(hr, meta.ReadyCondition)).To(And(
		ContainSubstring("Deployment/"+ns+"/app failed: Progress deadline exceeded"),
		ContainSubstring(`ReplicaSet "app-5d4f" has timed out progressing.`)))
}

// A release's Jobs are waited for until they complete, unless
// disableWaitForJobs (then until they start); a failed Job fails the
// install.
func TestReleaseWaitsForJobs(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0",
		extra: map[string]string{"job.yaml": jobTemplate("")}})

	releasedOnceJobCompletes(t, newRelease(ns, "done", hc.Name))
	failed := failsWithItsJob(t, newRelease(ns, "failed", hc.Name))
	g.Expect(conditionMessage(failed, meta.ReadyCondition)).To(ContainSubstring(
		"Job/" + ns + "/failed-job failed: Job failed: BackoffLimitExceeded"))

	// Without waiting for Jobs, a started Job is enough (as kstatus says).
	nowait := newRelease(ns, "nowait", hc.Name)
	nowait.Spec.Install = &helmv2.Install{DisableWaitForJobs: true}
	create(t, nowait)
	startJob(t, waitForJob(t, ns, "nowait-job"))
	waitReady(t, nowait, metav1.ConditionTrue, helmv2.InstallSucceededReason)
}

// A post-install hook Job is waited for until it completes, whatever the
// wait settings of the release; its failure fails the install.
func TestHookJobs(t *testing.T) {
	g := NewWithT(t)
	ns := testkit.NewNamespace(t, env.cp.Client)
	hc := newHelmChart(t, ns, "app", testChart{name: "app", version: "1.0.0",
		extra: map[string]string{"hook.yaml": jobTemplate("post-install")}})

	done := newRelease(ns, "done", hc.Name)
	done.Spec.Install = &helmv2.Install{DisableWait: true}
	releasedOnceJobCompletes(t, done)
	failed := failsWithItsJob(t, newRelease(ns, "failed", hc.Name))
	g.Expect(conditionMessage(failed, meta.ReadyCondition)).To(ContainSubstring("post-install"))
}

// releasedOnceJobCompletes creates hr, whose chart has a Job
// <release>-job, and checks that it is not Ready until the Job completes,
// then is.
func releasedOnceJobCompletes(t *testing.T, hr *helmv2.HelmRelease) {
	t.Helper()
	create(t, hr)
	job := waitForJob(t, hr.Namespace, hr.Name+"-job")
	NewWithT(t).Consistently(func() metav1.ConditionStatus {
		return readyStatus(t, hr)
	}, 2*time.Second, 200*time.Millisecond).ShouldNot(Equal(metav1.ConditionTrue), "Ready before its Job completed")
	completeJob(t, job)
	waitReady(t, hr, metav1.ConditionTrue, helmv2.InstallSucceededReason)
}

// failsWithItsJob creates hr, fails its Job <release>-job and waits for
// the install to fail.
func failsWithItsJob(t *testing.T, hr *helmv2.HelmRelease) *helmv2.HelmRelease {
	t.Helper()
	create(t, hr)
	failJob(t, waitForJob(t, hr.Namespace, hr.Name+"-job"))
	return waitReady(t, hr, metav1.ConditionFalse, helmv2.InstallFailedReason)
}

func readyStatus(t *testing.T, hr *helmv2.HelmRelease) metav1.ConditionStatus {
	t.Helper()
	got := &helmv2.HelmRelease{}
	if err := env.cp.Client.Get(context.Background(), client.ObjectKeyFromObject(hr), got); err != nil {
		t.Fatal(err)
	}
	for _, c := range got.Status.Conditions {
		if c.Type == meta.ReadyCondition {
			return c.Status
		}
	}
	return metav1.ConditionUnknown
}

func waitForJob(t *testing.T, ns, name string) *batchv1.Job {
	t.Helper()
	job := &batchv1.Job{}
	NewWithT(t).Eventually(func() error {
		return env.cp.Client.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, job)
	}, testkit.Timeout).Should(Succeed())
	return job
}

// startJob writes the status the Job controller writes when the Job's pod
// has started.
func startJob(t *testing.T, job *batchv1.Job) {
	t.Helper()
	now := metav1.Now()
	job.Status = batchv1.JobStatus{StartTime: &now, Active: 1}
	NewWithT(t).Expect(env.cp.Client.Status().Update(context.Background(), job)).To(Succeed())
}

// completeJob writes the status the Job controller writes when the Job's
// one pod succeeded.
func completeJob(t *testing.T, job *batchv1.Job) {
	t.Helper()
	now := metav1.Now()
	job.Status = batchv1.JobStatus{StartTime: &now, CompletionTime: &now, Succeeded: 1,
		Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobSuccessCriteriaMet, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: batchv1.JobComplete, Status: corev1.ConditionTrue, LastTransitionTime: now},
		}}
	NewWithT(t).Expect(env.cp.Client.Status().Update(context.Background(), job)).To(Succeed())
}

// failJob writes the status the Job controller writes when the Job's one
// pod failed (backoffLimit 0).
func failJob(t *testing.T, job *batchv1.Job) {
	t.Helper()
	now := metav1.Now()
	job.Status = batchv1.JobStatus{StartTime: &now, Failed: 1,
		Conditions: []batchv1.JobCondition{
			{Type: batchv1.JobFailureTarget, Status: corev1.ConditionTrue, LastTransitionTime: now,
				Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"},
			{Type: batchv1.JobFailed, Status: corev1.ConditionTrue, LastTransitionTime: now,
				Reason: "BackoffLimitExceeded", Message: "Job has reached the specified backoff limit"},
		}}
	NewWithT(t).Expect(env.cp.Client.Status().Update(context.Background(), job)).To(Succeed())
}
