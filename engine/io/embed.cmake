# Turns a file into a NUL-terminated C byte array: cmake -DIN=file -DOUT=file.c -DSYM=name -P embed.cmake
file(READ ${IN} HEX HEX)
string(LENGTH "${HEX}" LEN)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${HEX}")
string(REGEX REPLACE "(0x[0-9a-f][0-9a-f],){16}" "\\0\n" BYTES "${BYTES}")
file(WRITE ${OUT} "/* Generated from ${IN}; do not edit. */\nconst char ${SYM}[] = {\n${BYTES}0x00};\n")
