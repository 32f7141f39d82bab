# Evaluate cluster/packaging/tessera.tcl against stubs of the Environment Modules commands (no
# module system needed) and check what it would do to the environment for an install PREFIX.
#   tclsh check_modulefile.tcl MODULEFILE PREFIX
# PREFIX must hold bin/ and lib/pkgconfig/ but no lib64/. Exit 0 when every check holds.
lassign $argv file prefix
set f [open $file]
set text [read $f]
close $f
if {![string match "#%Module*" $text]} { puts "FAIL the file does not start with #%Module"; exit 1 }
# Point the template at PREFIX by editing the line users edit (the one marked CHANGE).
set n [regsub -line {^set root [^;\n]*} $text "set root $prefix " text]
if {$n != 1} { puts "FAIL expected one 'set root ...' line, found $n"; exit 1 }

set calls {}
foreach cmd {prepend-path append-path setenv module-whatis conflict prereq module} {
  proc $cmd {args} [string map [list CMD $cmd] {lappend ::calls [list CMD {*}$args]}]
}
# Run it at global level, as the module system does.
if {[catch {uplevel #0 $text} err]} { puts "FAIL evaluating: $err"; exit 1 }

set failures 0
proc check {ok what} {
  puts "[expr {$ok ? {ok  } : {FAIL}}] $what"
  if {!$ok} { incr ::failures }
}
proc has {args} { expr {[lsearch -exact $::calls $args] >= 0} }
check [has prepend-path PATH $prefix/bin] "PATH gets PREFIX/bin"
check [has prepend-path CMAKE_PREFIX_PATH $prefix] "CMAKE_PREFIX_PATH gets PREFIX"
check [has prepend-path LD_LIBRARY_PATH $prefix/lib] "LD_LIBRARY_PATH gets PREFIX/lib"
check [has prepend-path PKG_CONFIG_PATH $prefix/lib/pkgconfig] "PKG_CONFIG_PATH gets PREFIX/lib/pkgconfig"
check [expr {![has prepend-path LD_LIBRARY_PATH $prefix/lib64]}] "no missing lib64 added"
check [has setenv TESSERA_ROOT $prefix] "TESSERA_ROOT is PREFIX"
check [has conflict tessera] "conflict tessera (one Tessera at a time)"
check [has module-whatis "Name: Tessera"] "whatis names Tessera"
check [expr {[llength [info procs ModulesHelp]] == 1}] "ModulesHelp defined"
exit [expr {$failures == 0 ? 0 : 1}]
