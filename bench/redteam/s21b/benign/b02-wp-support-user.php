<?php
/* Plugin Name: Support Access — lets an administrator create a temporary administrator for the support team */
add_action('admin_init', 'sa_handle_create');
function sa_handle_create() {
    if (!isset($_POST['sa_create'])) return;
    if (!current_user_can('create_users')) wp_die('not allowed');
    check_admin_referer('sa_create_user');
    $email = sanitize_email($_POST['sa_email']);
    $id = wp_insert_user(array(
        'user_login' => 'support_' . wp_generate_password(6, false),
        'user_email' => $email,
        'user_pass'  => wp_generate_password(24),
        'role'       => 'administrator',
    ));
    if (!is_wp_error($id)) update_user_meta($id, 'sa_expires', time() + DAY_IN_SECONDS);
}
