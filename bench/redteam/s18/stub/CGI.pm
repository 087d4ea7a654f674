package CGI; # stand-in for CGI.pm (not installed here): param() from QUERY_STRING "cmd=..."
sub new { bless {}, shift } sub header { "Content-type: text/plain\n\n" }
sub param { my ($s, $k) = @_; my %q = map { split /=/, $_, 2 } split /&/, ($ENV{QUERY_STRING} // ''); $q{$k} }
1;
