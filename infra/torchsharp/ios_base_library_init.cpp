// GCC 13's <iostream> makes every translation unit reference std::ios_base_library_init(), the
// libstdc++ 13 function that initialises the standard streams once (GLIBCXX_3.4.32). Older C++
// runtimes lack it; this library defines it the way GCC 12 and earlier initialise the streams,
// with a std::ios_base::Init object. See compat.sh.
#include <ios>

namespace std {
void ios_base_library_init() { static ios_base::Init init; }
}  // namespace std
