/*
 * mail.h: reading one notification mail, the only part of renraku that
 * parses MIME (GMime).  What comes out is plain UTF-8.
 */
#ifndef RENRAKU_MAIL_H
#define RENRAKU_MAIL_H

#include <glib.h>

struct mail {
	char	*message_id;	/* without <>; NULL if the mail has none */
	char	*from_addr;	/* lowercased addr-spec; "" if none */
	char	*from_name;	/* decoded display name; "" if none */
	char	*subject;	/* decoded, line breaks removed; "" if none */
	gint64	 date;		/* Date: as Unix time; 0 if absent or bad */
	char	*body;		/* the text part (HTML reduced to text), LF
				   line ends; "" if the mail has no text */
	char	*links;		/* the href of every link in the HTML
				   parts (not attachments), a line each,
				   so that ids only in a link are seen;
				   "" if none */
	char	*forwarded_by;	/* lowercased addr-spec of whoever
				   forwarded the mail, when the fields
				   above are the original's; else NULL */
};

/* Initialise GMime; call once before mail_parse(). */
void		 mail_init(void);

/*
 * Parse the 'len' bytes of 'raw' into 'm' (fields allocated, released by
 * mail_clear()).  Returns FALSE with err set (RENRAKU_ERROR_PERM) when the
 * bytes are not a mail at all; damaged parts of a mail give empty fields.
 *
 * A forwarded mail is read through to the original, so that rules see the
 * platform's mail: when the subject starts with Fwd:, Fw: or 転送: and
 * either a message/rfc822 part or, in the body, a forwarded block (a
 * marker line such as "---------- Forwarded message ---------" followed by
 * From:/差出人:, Subject:/件名:, Date:/日付:/送信日時: lines) names the
 * original sender, then from_addr, from_name, date and body are the
 * original's, subject is the original's (the forward prefixes stripped),
 * and forwarded_by is the outer sender.  message_id stays the outer one:
 * it identifies the mail in the mailbox.
 *
 * Text in any charset GMime or iconv knows becomes UTF-8; ISO-2022-JP
 * with NEC/IBM extension characters (①, ㈱) is decoded as CP50220 would,
 * and Shift_JIS as CP932 (what Japanese mailers mean by it).  The bytes
 * win over a label that contradicts them: ISO-2022-JP escapes are
 * ISO-2022-JP whatever the label, valid UTF-8 labelled as a single-byte
 * charset is UTF-8.  Japanese charsets give the characters CP932 maps
 * apart (～ －  ∥ ￠ ￡ ￢) as JIS X 0208 does (〜 − ‖ ¢ £ ¬), so one
 * title reads the same from every mail.  Base64 without its '=' padding
 * is decoded whole.  A NUL byte in the text (which RFC 5322 forbids)
 * becomes a blank, rather than ending the text.
 */
gboolean	 mail_parse(const char *raw, gsize len, struct mail *m,
		    GError **err);

void		 mail_clear(struct mail *m);

/*
 * The Message-ID (without <>) of the 'len' bytes of 'raw', read from its
 * header alone, without parsing the rest: for renraku's own drafts.
 * Returns an allocated string, or NULL when there is none.
 */
char		*mail_message_id(const char *raw, gsize len);

/*
 * Decode an unstructured header value as sent ('raw', folded, with RFC
 * 2047 encoded words) into UTF-8 without line breaks.  Adjacent words of
 * one charset are joined as bytes before conversion, so a character split
 * between them survives, and a base64 quantum split between two words
 * too; a word without its '=' padding loses nothing.  This also works
 * around GMime 3.2.13 dropping text after a B-word ending in '='
 * (upstream #133).  Returns an allocated string.
 */
char		*mail_decode_header(const char *raw);

/*
 * What the Subject of a forwarded mail starts with, as an IMAP SEARCH
 * SUBJECT looks for it ("Fw:" is "FW:", case aside); NULL-terminated.
 * mail_strip_forward() knows the same prefixes.
 */
extern const char *const mail_forward_subjects[];

/*
 * The text of 'subject' after any leading forward prefixes ("Fwd:",
 * "FW:", "転送:", full-width colon too, repeated), or NULL when it has
 * none.  Returns an allocated string.
 */
char		*mail_strip_forward(const char *subject);

/*
 * Reduce HTML ('html', UTF-8) to text with libxml2's HTML parser: tags,
 * comments, <head>, <script> and <style> dropped; <br> and the end of
 * each block (p, div, tr, li, h1...) a line end, table cells apart by a
 * blank; every entity decoded; line breaks of the source, which are no
 * text, dropped; &nbsp; a blank.  Returns an allocated string.
 */
char		*mail_html_to_text(const char *html);

/*
 * The href of every <a> and <area> of 'html' (UTF-8), entities decoded,
 * blanks around it trimmed, each followed by a line end.  Returns an
 * allocated string, "" when there is none.
 */
char		*mail_html_links(const char *html);

#endif
