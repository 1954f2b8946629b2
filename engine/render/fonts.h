/* The fonts of the picture, compiled into the binary (assets/fonts, DejaVu; licence in
 * assets/fonts/LICENSE-DejaVu.txt) so rollsim finds them from any directory. */
#ifndef ROLLSIM_RENDER_FONTS_H
#define ROLLSIM_RENDER_FONTS_H

#include <stddef.h>

#include "layout.h"

/* The TrueType bytes of a face; *size gets their length. */
const unsigned char *rs__font_data(rs_face face, size_t *size);

#endif
