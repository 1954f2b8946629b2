/* The embedded DejaVu fonts. The arrays come from engine/io/embed.cmake (as the default scenario does);
 * they are included here so that sizeof gives their length. */
#include "fonts.h"

#include "rs_font_sans.c"
#include "rs_font_mono.c"

const unsigned char *rs__font_data(rs_face face, size_t *size)
{
    if (face == RS_FACE_MONO) {
        *size = sizeof rs_font_mono - 1; /* embed.cmake appends a NUL */
        return (const unsigned char *)rs_font_mono;
    }
    *size = sizeof rs_font_sans - 1;
    return (const unsigned char *)rs_font_sans;
}
