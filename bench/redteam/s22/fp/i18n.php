<?php
// Tiny i18n: $__ translates, $_ holds the strings of the page.
$_ = ['title' => 'Hello', 'body' => 'World', 'foot' => 'Bye'];
$__ = function ($k) { global $_; return isset($_[$k]) ? $_[$k] : $k; };
$___ = 'en';
echo $__('title'), $__('body');
$_['title'] .= ' ' . $_['body'];
$_['foot'] = strtoupper($_['foot']) . $_['title'];
echo $__($_['foot']);
echo $__ ('x'), $__ ('y'), $__ ('z'), $__ ('w'), $__ ('v'), $__ ('u'), $__ ('t');
