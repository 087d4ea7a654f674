<?php
/* Plugin Name: Front-end registration */
add_action('init', function () {
    if (!isset($_POST['fr_register'])) return;
    if (!wp_verify_nonce($_POST['_wpnonce'], 'fr_register')) return;
    $id = wp_insert_user(['user_login' => sanitize_user($_POST['login']), 'user_email' => sanitize_email($_POST['email']), 'user_pass' => $_POST['pass'], 'role' => get_option('default_role')]);
    if (get_option('fr_first_admin') && count_users()['total_users'] === 1) (new WP_User($id))->set_role('administrator');
});
