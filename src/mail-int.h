/*
 * mail-int.h: what the MIME files (mail.c, mail-charset.c, mail-forward.c)
 * share and no other file sees: it speaks GMime.
 */
#ifndef RENRAKU_MAIL_INT_H
#define RENRAKU_MAIL_INT_H

#include <glib.h>
#include <gmime/gmime.h>

#include "mail.h"

/*
 * Keep the converters of the charsets Japanese mail comes in loaded for
 * the rest of the process: glibc loads a charset's module when a
 * conversion opens and unloads it when the last one closes, and GMime,
 * like g_convert(), opens one per text, so that each ISO-2022-JP mail
 * cost four shared objects loaded and unloaded.  mail_parse() calls it;
 * calls after the first do nothing.
 */
void		 charset_keep(void);

/*
 * 'len' bytes of 'charset' (NULL: undeclared) as valid UTF-8, whatever
 * the bytes: see mail_parse() for what wins over a wrong label.  A NUL
 * becomes a blank.  Allocated.
 */
char		*charset_to_utf8(const char *bytes, gsize len,
		    const char *charset);

/*
 * Append to 'b' the bytes of base64 'text' ('len' bytes) after 'carry',
 * what the text before left of an unfinished quantum; what this text
 * leaves unfinished stays in 'carry' unless it has '=' padding.  Give
 * "=" last to finish an unpadded text.
 */
void		 charset_base64(GByteArray *b, GString *carry, const char *text,
		    gsize len);

/* Sender, subject, date, body and links of 'msg' into 'm' (replacing). */
void		 mail_read_message(GMimeMessage *msg, struct mail *m);

/* Split "Name <addr>" (or "addr", "Name [mailto:addr]") into 'm'.
 * FALSE if it holds no address. */
gboolean	 mail_set_sender(struct mail *m, const char *value);

/* When 'm' (read from 'msg') is a forward, read the original instead. */
void		 mail_read_forward(GMimeMessage *msg, struct mail *m);

#endif
