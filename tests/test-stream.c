/*
 * test-stream.c: the bounds of stream.c on a socket pair, the server's
 * side written by the test: what the scanner counts and what it does not
 * (parentheses in strings and literals), nesting, literal and answer
 * caps, and the deadline for a whole answer, also against a trickle,
 * and more time for an answer that keeps coming at a slow link's pace.
 */
#include "unit.h"

#include <sys/socket.h>
#include <signal.h>
#include <unistd.h>

#include "stream.h"

struct pair {
	mailstream_low	*low;
	int		 server;
};

static void
pair_open(struct pair *p, guint timeout)
{
	int	sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	p->server = sv[1];
	p->low = stream_new(sv[0], timeout);
	assert_non_null(p->low);
}

static void
pair_close(struct pair *p)
{
	mailstream_low_close(p->low);
	mailstream_low_free(p->low);
	close(p->server);
}

/* Read from the stream until 'want' bytes came or a read failed. */
static gssize
read_all(struct pair *p, gsize want)
{
	char	buf[8192];
	gsize	got = 0;
	gssize	n;

	while (got < want) {
		n = mailstream_low_read(p->low, buf, MIN(sizeof buf,
		    want - got));
		if (n <= 0)
			return (-1);
		got += (gsize)n;
	}
	return ((gssize)got);
}

static void
send_text(struct pair *p, const char *text)
{
	assert_int_equal(write(p->server, text, strlen(text)),
	    (ssize_t)strlen(text));
}

struct sending {
	int		 fd;
	const char	*text;
};

static gpointer
sender(gpointer data)
{
	struct sending	*s = data;
	gsize		 done = 0, len = strlen(s->text);
	ssize_t		 n;

	while (done < len && (n = write(s->fd, s->text + done, len - done)) >
	    0)
		done += (gsize)n;
	return (NULL);
}

/* send_text() for more than a socket buffer holds: wait with send_done() */
static GThread *
send_bg(struct pair *p, struct sending *s, const char *text)
{
	s->fd = p->server;
	s->text = text;
	return (g_thread_new("send", sender, s));
}

static void
test_not_counted(void **state)
{
	struct pair	 p;
	GString		*s = g_string_new("* 1 FETCH (BODY[] {300}\r\n");
	guint		 i;

	(void)state;
	pair_open(&p, 5);
	/* 300 '(' in a literal, 300 in a quoted string with \" in it */
	for (i = 0; i < 300; i++)
		g_string_append_c(s, '(');
	g_string_append(s, " X \"a\\\"");
	for (i = 0; i < 300; i++)
		g_string_append_c(s, '(');
	g_string_append(s, "\")\r\n");
	/* then 100 levels: the most that passes */
	for (i = 0; i < STREAM_DEPTH_MAX; i++)
		g_string_append_c(s, '(');
	for (i = 0; i < STREAM_DEPTH_MAX; i++)
		g_string_append_c(s, ')');
	g_string_append(s, "\r\n");
	send_text(&p, s->str);
	assert_int_equal(read_all(&p, s->len), (gssize)s->len);
	assert_null(stream_why(p.low));
	g_string_free(s, TRUE);
	pair_close(&p);
}

static void
test_too_deep(void **state)
{
	struct pair	 p;
	GString		*s = g_string_new("* 1 FETCH (BODYSTRUCTURE ");
	guint		 i;

	(void)state;
	pair_open(&p, 5);
	/* a line ending resets the depth; the next line goes too deep */
	for (i = 0; i < 90; i++)
		g_string_append_c(s, '(');
	g_string_append(s, "\r\n* 2 FETCH ");
	for (i = 0; i < 20000; i++)
		g_string_append_c(s, '(');
	send_text(&p, s->str);
	assert_int_equal(read_all(&p, s->len), -1);
	assert_non_null(stream_why(p.low));
	assert_non_null(strstr(stream_why(p.low), "nested more than 100"));
	/* and it stays ended */
	assert_int_equal(read_all(&p, 1), -1);
	g_string_free(s, TRUE);
	pair_close(&p);
}

/*
 * In a response of free text ("* OK", a tagged NO, "+ ") "{N}" is text to
 * libetpan, not a literal: it hides nothing that follows from the depth
 * count.  An escaped line end ends a quoted string as any line end does.
 */
static void
test_text_braces(void **state)
{
	static const char *const starts[] = { "* OK {4000}\r\n",
	    "a7 NO [ALERT] {4000}\r\n", "+ {4000}\r\n", "* BYE {4000}\r\n",
	    "* OK \"a\\\n" };
	struct pair	 p;
	GString		*s;
	gsize		 i, j;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(starts); i++) {
		s = g_string_new(starts[i]);
		g_string_append(s, "* 1 FETCH (BODYSTRUCTURE ");
		for (j = 0; j < 2000; j++)
			g_string_append_c(s, '(');
		pair_open(&p, 5);
		send_text(&p, s->str);
		assert_int_equal(read_all(&p, s->len), -1);
		if (stream_why(p.low) == NULL || strstr(stream_why(p.low),
		    "nested more than 100") == NULL)
			fail_msg("%s: %s", starts[i], stream_why(p.low));
		pair_close(&p);
		g_string_free(s, TRUE);
	}
	/* where the grammar has one, a literal is one: its bytes are data */
	s = g_string_new("* 1 FETCH (UID 4 BODY[] {2000}\r\n");
	for (j = 0; j < 2000; j++)
		g_string_append_c(s, '(');
	g_string_append(s, ")\r\n");
	pair_open(&p, 5);
	send_text(&p, s->str);
	assert_int_equal(read_all(&p, s->len), (gssize)s->len);
	pair_close(&p);
	g_string_free(s, TRUE);
}

static void
test_literal_cap(void **state)
{
	struct pair	p;
	char		*text;

	(void)state;
	pair_open(&p, 5);
	/* refused at its header: nothing of it need come */
	text = g_strdup_printf("* 1 FETCH (UID 5 BODY[] {%u}\r\n",
	    STREAM_LITERAL_MAX + 1);
	send_text(&p, text);
	assert_int_equal(read_all(&p, strlen(text) + 1), -1);
	assert_non_null(strstr(stream_why(p.low), "more than 24 MB in one "
	    "answer"));
	g_free(text);
	pair_close(&p);

	/* a 20-digit length does not overflow into a small one */
	pair_open(&p, 5);
	send_text(&p, "* 1 FETCH (BODY[] {18446744073709551617}\r\nab");
	assert_int_equal(read_all(&p, 44), -1);
	assert_non_null(stream_why(p.low));
	pair_close(&p);
}

static void
test_answer_cap(void **state)
{
	struct pair	 p;
	char		 line[] = "* OK flood\r\n";
	GString		*s = g_string_new(NULL);
	struct sending	 snd;
	GThread		*t;

	(void)state;
	/* 2 MB of lines in one answer pass; a write starts a new answer */
	pair_open(&p, 5);
	while (s->len + strlen(line) <= STREAM_ANSWER_MAX)
		g_string_append(s, line);
	t = send_bg(&p, &snd, s->str);
	assert_int_equal(read_all(&p, s->len), (gssize)s->len);
	g_thread_join(t);
	assert_int_equal(mailstream_low_write(p.low, "a NOOP\r\n", 8), 8);
	t = send_bg(&p, &snd, s->str);
	assert_int_equal(read_all(&p, s->len), (gssize)s->len);
	g_thread_join(t);
	/* without a write between, the next line is one too many */
	send_text(&p, line);
	assert_int_equal(read_all(&p, strlen(line)), -1);
	assert_non_null(strstr(stream_why(p.low), "more than 2 MB in one "
	    "answer"));
	g_string_free(s, TRUE);
	pair_close(&p);
}

static gpointer
trickle(gpointer data)
{
	struct pair	*p = data;
	guint		 i;

	for (i = 0; i < 40; i++) {
		if (write(p->server, "*", 1) != 1)
			break;
		g_usleep(100 * 1000);
	}
	return (NULL);
}

static void
test_deadline(void **state)
{
	struct pair	 p;
	GThread		*t;
	gint64		 t0;

	(void)state;
	signal(SIGPIPE, SIG_IGN);	/* the trickle outlives the reading */
	/* nothing at all */
	pair_open(&p, 1);
	t0 = g_get_monotonic_time();
	assert_int_equal(read_all(&p, 1), -1);
	assert_true(g_get_monotonic_time() - t0 < 2 * G_TIME_SPAN_SECOND);
	assert_non_null(strstr(stream_why(p.low), "within 1 second"));
	pair_close(&p);

	/* a byte every 100 ms: each read is quick, the answer is not */
	pair_open(&p, 1);
	t = g_thread_new("trickle", trickle, &p);
	t0 = g_get_monotonic_time();
	assert_int_equal(read_all(&p, 40), -1);
	assert_true(g_get_monotonic_time() - t0 < 2 * G_TIME_SPAN_SECOND);
	assert_non_null(strstr(stream_why(p.low), "within 1 second"));
	shutdown(p.server, SHUT_RDWR);
	g_thread_join(t);
	pair_close(&p);
}

/* 8 KB every 31 ms (about 256 KB/s) for 2.5 s. */
static gpointer
steady(gpointer data)
{
	struct pair	*p = data;
	char		 buf[8192];
	guint		 i;

	memset(buf, '*', sizeof buf);
	for (i = 0; i < 80; i++) {
		if (write(p->server, buf, sizeof buf) != (ssize_t)sizeof buf)
			break;
		g_usleep(31 * 1000);
	}
	return (NULL);
}

/* 1 MB at once, then nothing for 3 s. */
static gpointer
burst(gpointer data)
{
	struct pair	*p = data;
	char		*buf = g_malloc(1024 * 1024);
	gsize		 done = 0;
	gssize		 n;

	memset(buf, '*', 1024 * 1024);
	while (done < 1024 * 1024 && (n = write(p->server, buf + done,
	    1024 * 1024 - done)) > 0)
		done += (gsize)n;
	g_free(buf);
	g_usleep(3 * G_USEC_PER_SEC);
	return (NULL);
}

/*
 * A slow link is not a trickle: 640 KB at 256 KB/s takes 2.5 s and passes
 * with timeout = 1 (an answer has a second more for each 32 KB).  But
 * what came before buys no silence: after 1 MB, nothing for 1 s ends it.
 */
static void
test_slow_link(void **state)
{
	struct pair	 p;
	GThread		*t;
	gint64		 t0;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	pair_open(&p, 1);
	t = g_thread_new("steady", steady, &p);
	t0 = g_get_monotonic_time();
	assert_int_equal(read_all(&p, 80 * 8192), 80 * 8192);
	assert_true(g_get_monotonic_time() - t0 > 2 * G_TIME_SPAN_SECOND);
	g_thread_join(t);
	pair_close(&p);

	pair_open(&p, 1);
	t = g_thread_new("burst", burst, &p);
	t0 = g_get_monotonic_time();
	assert_int_equal(read_all(&p, 2 * 1024 * 1024), -1);
	assert_true(g_get_monotonic_time() - t0 < 2 * G_TIME_SPAN_SECOND);
	assert_non_null(strstr(stream_why(p.low), "nothing for 1 second"));
	shutdown(p.server, SHUT_RDWR);
	g_thread_join(t);
	pair_close(&p);
}

UNIT_MAIN(
	cmocka_unit_test(test_not_counted),
	cmocka_unit_test(test_too_deep),
	cmocka_unit_test(test_text_braces),
	cmocka_unit_test(test_literal_cap),
	cmocka_unit_test(test_answer_cap),
	cmocka_unit_test(test_deadline),
	cmocka_unit_test(test_slow_link),
)
