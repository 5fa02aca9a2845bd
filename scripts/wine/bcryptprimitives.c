/* Wine 8 (Debian 12) has no bcryptprimitives.dll, whose ProcessPrng Rust's
 * standard library uses for random numbers on Windows. This stand-in gives it
 * from advapi32's RtlGenRandom (SystemFunction036), for running the Windows
 * test binaries under Wine only; it is never part of the app. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
