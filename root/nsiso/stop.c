/* nsiso stop: ends every environment of a user. Each init gets OP_STOP
 * (SIGTERM and SIGHUP, SIGKILL after the grace: doc/DESIGN.md, "Stop:
 * SIGTERM, a grace, SIGKILL"); all are asked first and waited for after,
 * so a user's per-login environments take one grace, not one each. An init
 * that does not answer is ended through its pidfd (unanswered.c). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "envs.h"
#include "policy.h"
#include "proto.h"
#include "unanswered.h"
#include "userinfo.h"

/* A stop asked and answered, waiting for its report. */
struct pending {
	char socket[64];
	int fd;
	unsigned grace;           /* as the init answered */
	unsigned proto;           /* the init's protocol (proto.h) */
	long long deadline_ms;    /* for the report: asked + grace + margin */
};

struct stop_ctx {
	uid_t uid;
	uint32_t grace;     /* --grace, or NSISO_GRACE_POLICY */
	int stopped, failed;
	struct pending *pending;
	size_t n_pending;
};

/* An init that does not answer is ended through its pidfd, and the
 * admin is told so: a stop never reports success for an environment it
 * could not reach. */
static void stop_unanswered(const struct env *e, int why, struct stop_ctx *sc)
{
	char how[512];

	if (unanswered_end(e->init_pid, e->socket, how, sizeof(how)) < 0) {
		cli_error(0, "stop %s: it does not answer (%s) and %s",
			e->socket, unanswered_why(why), how);
		sc->failed++;
		return;
	}
	printf("nsiso: %s did not answer (%s): %s\n", e->socket,
	       unanswered_why(why), how);
	sc->stopped++;
}

/* Beyond the grace: how long the init may take to send SIGKILL, mark the
 * utmp records and remove its network and cgroup. */
#define STOP_MARGIN_MS 10000

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The init's report, the second answer to OP_STOP, in one line. */
static void print_report(const char *socket, const struct nsiso_reply *rep,
			 unsigned grace)
{
	if (rep->stop_flags & NSISO_STOP_NO_PIDNS) {
		printf("%s: no PID namespace: its processes were not signalled\n",
		       socket);
		return;
	}
	printf("%s: ended %u process%s, %u after SIGKILL (grace %u s)",
	       socket, rep->ended, rep->ended == 1 ? "" : "es", rep->killed,
	       grace);
	if (rep->utmp_dead > 0)
		printf("; %u utmp record%s marked dead", rep->utmp_dead,
		       rep->utmp_dead == 1 ? "" : "s");
	putchar('\n');
}

/* Asks the init to stop; the answer carries the grace in effect, and the
 * report follows (wait_stop). */
static void stop_one(const struct env *e, void *ctx)
{
	struct stop_ctx *sc = ctx;
	struct pending *grown;
	struct nsiso_reply r;
	int s, pidfd;

	if (e->r.uid != sc->uid)
		return;
	if (!e->answered) {
		stop_unanswered(e, e->why, sc);
		return;
	}
	s = proto_connect(e->socket, NULL);
	if (s < 0 || proto_call_grace(s, OP_STOP, sc->grace, &r, &pidfd) < 0) {
		int why = errno;

		if (s >= 0)
			close(s);
		if (why == ENOENT || why == ECONNREFUSED || why == ECONNRESET) {
			sc->stopped++; /* it ended between the two questions */
			return;
		}
		stop_unanswered(e, why, sc);
		return;
	}
	grown = realloc(sc->pending, (sc->n_pending + 1) * sizeof(*grown));
	if (grown == NULL) {
		/* It is stopping all the same; only its report is lost. */
		cli_error(ENOMEM, "%s is stopping; wait for its report", e->socket);
		sc->failed++;
		close(s);
		return;
	}
	sc->pending = grown;
	grown = &sc->pending[sc->n_pending++];
	snprintf(grown->socket, sizeof(grown->socket), "%s", e->socket);
	grown->fd = s;
	grown->grace = r.stop_grace;
	grown->proto = r.proto_version;
	grown->deadline_ms = now_ms() + (long long)r.stop_grace * 1000 + STOP_MARGIN_MS;
}

/* Waits for the report (until p->deadline_ms), then for the close: the
 * init has exited and its namespaces are gone. */
static void wait_stop(struct pending *p, struct stop_ctx *sc)
{
	struct pollfd pf = { .fd = p->fd, .events = POLLIN };
	long long left = p->deadline_ms - now_ms();
	struct nsiso_reply rep;
	char buf[1];
	int pidfd;

	if (poll(&pf, 1, left > 0 ? (int)left : 0) <= 0) {
		cli_error(0, "%s did not end within %u s", p->socket,
			  p->grace + STOP_MARGIN_MS / 1000);
		sc->failed++;
		return;
	}
	if (proto_recv_reply(p->fd, &rep, &pidfd) < 0) {
		/* Closed without a report: the init ended otherwise (SIGTERM
		 * or SIGKILL from someone else); the environment is gone. */
		if (errno == ECONNRESET && p->proto < 4) {
			/* An init of the release before (an upgrade left it
			 * running) kills at once and exits without a report. */
			printf("%s: ended (its init, of protocol %u, killed every process at once)\n",
			       p->socket, p->proto);
			sc->stopped++;
			return;
		}
		if (errno == ECONNRESET) {
			printf("%s: ended before its report\n", p->socket);
			sc->stopped++;
			return;
		}
		cli_error(errno, "read the report of %s", p->socket);
		sc->failed++;
		return;
	}
	if (pidfd >= 0)
		close(pidfd); /* none is sent with a report */
	if (!(rep.stop_flags & NSISO_STOP_REPORT)) {
		cli_error(rep.error, "%s answered the stop with something else than its report",
			  p->socket);
		sc->failed++;
		return;
	}
	print_report(p->socket, &rep, p->grace);
	pf.revents = 0;
	/* What follows the report is the close: the init has exited. */
	if (poll(&pf, 1, STOP_MARGIN_MS) <= 0 ||
	    recv(p->fd, buf, sizeof(buf), 0) != 0) {
		cli_error(0, "%s did not end within %d s of its report",
			  p->socket, STOP_MARGIN_MS / 1000);
		sc->failed++;
		return;
	}
	sc->stopped++;
}

/* --grace SECONDS: 0 to the policy's bound. */
static int parse_grace(const char *text, uint32_t *grace)
{
	char *end;
	unsigned long v;

	errno = 0;
	if (text[0] < '0' || text[0] > '9' ||
	    (v = strtoul(text, &end, 10), errno != 0) || *end != '\0' ||
	    v > POLICY_MAX_STOP_GRACE) {
		cli_error(0, "--grace: '%s' is not a number of seconds from 0 to %u",
			  text, POLICY_MAX_STOP_GRACE);
		return -1;
	}
	*grace = (uint32_t)v;
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	struct nsiso_err lookup_err = { "" };
	struct stop_ctx sc = { .grace = NSISO_GRACE_POLICY };
	struct user_info u;

	if (argc == 2 && strcmp(argv[1], "--help") == 0) {
		puts("usage: nsiso stop [--grace SECONDS] USER\n"
		     "Ends every environment of USER now: its processes get SIGTERM and SIGHUP,\n"
		     "and SIGKILL after the grace (the policy's stop_grace unless given).");
		return EXIT_OK;
	}
	if (argc == 4 && strcmp(argv[1], "--grace") == 0) {
		if (parse_grace(argv[2], &sc.grace) < 0)
			return EXIT_USAGE;
		argc -= 2;
		argv += 2;
	}
	if (argc != 2 || argv[1][0] == '-') {
		fputs("usage: nsiso stop [--grace SECONDS] USER\n", stderr);
		return EXIT_USAGE;
	}
	if (user_info_by_name(argv[1], &u, &lookup_err) < 0) {
		cli_error(0, "%s", lookup_err.msg);
		return EXIT_PROBLEMS;
	}
	sc.uid = u.uid;
	user_info_free(&u);
	{
		/* Only this user's sockets are asked: stopping one user must
		 * not cost a round trip to every environment on the host. */
		char user_sock[64], session_prefix[64];
		const char *names[] = { user_sock, session_prefix, NULL };

		proto_user_socket_name(sc.uid, user_sock, sizeof(user_sock));
		snprintf(session_prefix, sizeof(session_prefix), "session-%u-*",
			 (unsigned)sc.uid);
		if (for_each_env(stop_one, &sc, names) < 0)
			sc.failed++;
	}
	/* Every init was asked first: their graces run at once. */
	for (size_t i = 0; i < sc.n_pending; i++) {
		wait_stop(&sc.pending[i], &sc);
		close(sc.pending[i].fd);
	}
	free(sc.pending);
	if (sc.failed)
		return EXIT_PROBLEMS;
	printf("stopped %d environment%s of %s\n", sc.stopped,
	       sc.stopped == 1 ? "" : "s", argv[1]);
	return EXIT_OK;
}
