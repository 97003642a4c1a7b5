// Part of compat.sh: rewrites one version requirement of an ELF64 shared library in place, e.g.
//   elf_version_patch lib.so GLIBCXX_3.4.32 GLIBCXX_3.4.30 _ZSt21ios_base_library_initv
// renames the requirement FROM to TO (whose name must already be in .dynstr) and makes SYMBOL unversioned.
#include <elf.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned long elf_hash(const char *name) {
  unsigned long h = 0, g;
  while (*name) {
    h = (h << 4) + (unsigned char)*name++;
    if ((g = h & 0xf0000000)) h ^= g >> 24;
    h &= ~g;
  }
  return h;
}

static int fail(const char *path, const char *what) {
  fprintf(stderr, "elf_version_patch: %s: %s\n", path, what);
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s LIBRARY FROM_VERSION TO_VERSION SYMBOL\n", argv[0]);
    return 2;
  }
  const char *path = argv[1], *from = argv[2], *to = argv[3], *symbol = argv[4];
  int fd = open(path, O_RDWR);
  if (fd < 0) return fail(path, "cannot open");
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(Elf64_Ehdr)) return fail(path, "too small");
  unsigned char *base = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) return fail(path, "cannot map");
  Elf64_Ehdr *eh = (Elf64_Ehdr *)base;
  if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64) return fail(path, "not an ELF64 file");
  Elf64_Shdr *sh = (Elf64_Shdr *)(base + eh->e_shoff);
  Elf64_Shdr *verneed = NULL, *versym = NULL, *dynsym = NULL;
  for (int i = 0; i < eh->e_shnum; i++) {
    if (sh[i].sh_type == SHT_GNU_verneed) verneed = &sh[i];
    if (sh[i].sh_type == SHT_GNU_versym) versym = &sh[i];
    if (sh[i].sh_type == SHT_DYNSYM) dynsym = &sh[i];
  }
  if (!verneed || !versym || !dynsym) return fail(path, "no version sections");
  const char *dynstr = (const char *)(base + sh[verneed->sh_link].sh_offset);
  Elf64_Word dynstr_size = sh[verneed->sh_link].sh_size;

  // Where TO's name already is (any string in .dynstr ending with it would do; take an exact one).
  Elf64_Word to_offset = 0;
  for (Elf64_Word o = 0; o + strlen(to) < dynstr_size; o++) {
    if (strcmp(dynstr + o, to) == 0 && (o == 0 || dynstr[o - 1] == '\0')) { to_offset = o; break; }
  }
  if (!to_offset) return fail(path, "target version name not in .dynstr");

  int renamed = 0;
  unsigned char *p = base + verneed->sh_offset;
  for (;;) {
    Elf64_Verneed *vn = (Elf64_Verneed *)p;
    unsigned char *a = p + vn->vn_aux;
    for (int k = 0; k < vn->vn_cnt; k++) {
      Elf64_Vernaux *aux = (Elf64_Vernaux *)a;
      if (strcmp(dynstr + aux->vna_name, from) == 0) {
        aux->vna_name = to_offset;
        aux->vna_hash = (Elf64_Word)elf_hash(to);
        renamed++;
      }
      if (!aux->vna_next) break;
      a += aux->vna_next;
    }
    if (!vn->vn_next) break;
    p += vn->vn_next;
  }
  if (!renamed) return fail(path, "no such version requirement");

  const char *symstr = (const char *)(base + sh[dynsym->sh_link].sh_offset);
  Elf64_Sym *syms = (Elf64_Sym *)(base + dynsym->sh_offset);
  Elf64_Half *versions = (Elf64_Half *)(base + versym->sh_offset);
  size_t count = dynsym->sh_size / sizeof(Elf64_Sym), cleared = 0;
  for (size_t i = 0; i < count; i++) {
    if (strcmp(symstr + syms[i].st_name, symbol) == 0) { versions[i] = VER_NDX_GLOBAL; cleared++; }
  }
  if (!cleared) return fail(path, "no such symbol");
  if (msync(base, st.st_size, MS_SYNC) != 0) return fail(path, "cannot write");
  printf("%s: %d requirement(s) %s -> %s, %zu symbol(s) %s unversioned\n", path, renamed, from, to, cleared, symbol);
  return 0;
}
