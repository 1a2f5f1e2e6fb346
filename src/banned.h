/* SPDX-License-Identifier: MIT */
#ifndef O3_BANNED_H
#define O3_BANNED_H
/*
 * Functions that are easy to misuse. Including this header turns any use of
 * them into a compile error. Use strbuf, snprintf, strtok_r, localtime_r.
 */
#define BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef localtime
#define localtime(t) BANNED(localtime)
#undef gmtime
#define gmtime(t) BANNED(gmtime)
#undef gets
#define gets(x) BANNED(gets)

#endif
