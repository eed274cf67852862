//! Table definitions, kept to types both backends share.

diesel::table! {
    employers (id) {
        id -> Text,
        name -> Text,
        organization_number -> Text,
        municipal -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        name -> Text,
        role -> Text,
        employer_id -> Nullable<Text>,
        created_at -> BigInt,
        oidc_issuer -> Nullable<Text>,
        oidc_subject -> Nullable<Text>,
        email -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        token_hash -> Text,
        created_at -> BigInt,
        revoked_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    ranking_versions (hash) {
        hash -> Text,
        text -> Text,
        first_used_at -> BigInt,
    }
}

diesel::table! {
    ranking_log (id) {
        id -> Text,
        at -> BigInt,
        user_id -> Text,
        role -> Text,
        list -> Text,
        route -> Text,
        opening_id -> Nullable<Text>,
        seeker_id -> Nullable<Text>,
        version -> Text,
        filters -> Text,
        total -> BigInt,
        first_rank -> Integer,
    }
}

diesel::table! {
    ranking_log_shown (log_id, rank) {
        log_id -> Text,
        rank -> Integer,
        seeker_id -> Nullable<Text>,
        opening_id -> Nullable<Text>,
        score -> Double,
    }
}

diesel::table! {
    exposure_days (day, unit) {
        day -> Text,
        unit -> Text,
        eligible -> BigInt,
        shown_top -> BigInt,
        proposed -> BigInt,
        never_shown -> BigInt,
    }
}

diesel::table! {
    exposure_runs (day) {
        day -> Text,
        started_at -> BigInt,
        finished_at -> Nullable<BigInt>,
    }
}

diesel::joinable!(ranking_log_shown -> ranking_log (log_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(users -> employers (employer_id));

diesel::table! {
    seekers (id) {
        id -> Text,
        personnummer -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        municipality_code -> Text,
        occupations -> Text,
        skills -> Text,
        languages -> Text,
        driving_licences -> Text,
        available_from -> Nullable<Text>,
        max_commute_km -> Nullable<Integer>,
        summary -> Nullable<Text>,
        unit -> Nullable<Text>,
        broker_id -> Nullable<Text>,
        status -> Text,
        exit_reason -> Nullable<Text>,
        exit_date -> Nullable<Text>,
        registered_at -> BigInt,
        updated_at -> BigInt,
        last_proposed_at -> Nullable<BigInt>,
        erased_at -> Nullable<BigInt>,
        version -> BigInt,
        paused_until -> Nullable<Text>,
        pause_reason -> Nullable<Text>,
        inferred -> Nullable<Text>,
        sms_stopped_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    openings (id) {
        id -> Text,
        employer_id -> Text,
        headline -> Text,
        description -> Text,
        occupation -> Text,
        municipality_code -> Text,
        workplace_address -> Text,
        number_of_vacancies -> Integer,
        filled_vacancies -> Integer,
        employment_type -> Text,
        must_have -> Text,
        nice_to_have -> Text,
        application_deadline -> Nullable<Text>,
        start_date -> Nullable<Text>,
        scope_min -> Nullable<Integer>,
        scope_max -> Nullable<Integer>,
        status -> Text,
        created_by -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        deleted_at -> Nullable<BigInt>,
        version -> BigInt,
        broker_id -> Nullable<Text>,
        source -> Text,
        external_id -> Nullable<Text>,
        webpage_url -> Nullable<Text>,
    }
}

diesel::table! {
    idempotency_keys (scope, idem_key) {
        scope -> Text,
        idem_key -> Text,
        request_hash -> Text,
        response_status -> Integer,
        response_body -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        at -> BigInt,
        user_id -> Text,
        role -> Text,
        seeker_id -> Text,
        action -> Text,
        reason -> Nullable<Text>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        entity -> Text,
        entity_id -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    placements (id) {
        id -> Text,
        seeker_id -> Text,
        opening_id -> Nullable<Text>,
        kind -> Text,
        status -> Text,
        broker_id -> Text,
        unit -> Nullable<Text>,
        outcome -> Nullable<Text>,
        employment_until -> Nullable<Text>,
        student_finance_eligible -> Nullable<Bool>,
        proposed_on -> Text,
        started_on -> Nullable<Text>,
        ended_on -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
        version -> BigInt,
        list_rank -> Nullable<Integer>,
        ranking_log_id -> Nullable<Text>,
    }
}

diesel::table! {
    placement_events (id) {
        id -> Text,
        placement_id -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        happened_on -> Text,
        note -> Nullable<Text>,
        details -> Nullable<Text>,
        by_user -> Text,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    targets (unit, month) {
        unit -> Text,
        month -> Text,
        exits_to_work_or_studies -> Integer,
        note -> Nullable<Text>,
        updated_by -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    officers (id) {
        id -> Text,
        name -> Text,
        unit -> Text,
        meeting_minutes -> Integer,
        weekly_hours -> Text,
        active -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
        version -> BigInt,
        user_id -> Nullable<Text>,
        address -> Nullable<Text>,
        protected_identity -> Bool,
    }
}

diesel::table! {
    officer_absences (id) {
        id -> Text,
        officer_id -> Text,
        from_date -> Text,
        to_date -> Text,
        reason -> Nullable<Text>,
        created_at -> BigInt,
    }
}

diesel::table! {
    employer_contacts (id) {
        id -> Text,
        employer_id -> Text,
        name -> Text,
        role -> Nullable<Text>,
        phone -> Nullable<Text>,
        email -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    shortlist (opening_id, seeker_id) {
        opening_id -> Text,
        seeker_id -> Text,
        status -> Text,
        note -> Nullable<Text>,
        added_by -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        consent_state -> Nullable<Text>,
        consent_deadline -> Nullable<Text>,
        consent_token_hash -> Nullable<Text>,
    }
}

diesel::table! {
    consent_events (id) {
        id -> Text,
        opening_id -> Text,
        seeker_id -> Text,
        state -> Text,
        how -> Nullable<Text>,
        note -> Nullable<Text>,
        by_user -> Nullable<Text>,
        at -> BigInt,
    }
}

diesel::table! {
    consent_messages (id) {
        id -> Text,
        opening_id -> Text,
        seeker_id -> Text,
        link -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    employer_feedback (id) {
        id -> Text,
        placement_id -> Text,
        answer -> Text,
        note -> Nullable<Text>,
        by_user -> Text,
        at -> BigInt,
    }
}

diesel::table! {
    target_changes (id) {
        id -> Text,
        unit -> Text,
        month -> Text,
        exits_to_work_or_studies -> Integer,
        note -> Nullable<Text>,
        changed_by -> Text,
        changed_at -> BigInt,
    }
}

diesel::table! {
    units (name) {
        name -> Text,
        active -> Bool,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    applications (id) {
        id -> Text,
        seeker_id -> Nullable<Text>,
        personnummer -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        situation -> Nullable<Text>,
        token_hash -> Text,
        next_day_full -> Bool,
        offered_day -> Text,
        created_at -> BigInt,
        identity_confirmed_at -> Nullable<BigInt>,
        identity_confirmed_by -> Nullable<Text>,
        identified_by -> Text,
        protected_identity -> Bool,
        wants_earlier_at -> Nullable<BigInt>,
        contact_channel -> Nullable<Text>,
    }
}

diesel::table! {
    bookings (id) {
        id -> Text,
        application_id -> Text,
        officer_id -> Text,
        starts_at -> BigInt,
        ends_at -> BigInt,
        status -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
        applicant_key -> Nullable<Text>,
    }
}

diesel::table! {
    journal_entries (id) {
        id -> Text,
        seeker_id -> Text,
        kind -> Text,
        text -> Nullable<Text>,
        at -> BigInt,
        next_contact_on -> Nullable<Text>,
        by_user -> Text,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    web_sessions (id_hash) {
        id_hash -> Text,
        user_id -> Text,
        token_id -> Nullable<Text>,
        signed_in_with -> Text,
        csrf -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::joinable!(web_sessions -> api_tokens (token_id));
diesel::joinable!(web_sessions -> users (user_id));
diesel::joinable!(bookings -> applications (application_id));
diesel::joinable!(bookings -> officers (officer_id));
diesel::joinable!(openings -> employers (employer_id));
diesel::joinable!(placement_events -> placements (placement_id));
diesel::joinable!(journal_entries -> seekers (seeker_id));
diesel::table! {
    deliveries (id) {
        id -> Text,
        channel -> Text,
        idempotency_key -> Text,
        subject -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        next_attempt_at -> BigInt,
        delivered_at -> Nullable<BigInt>,
        created_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    deliveries,
    api_tokens,
    journal_entries,
    applications,
    bookings,
    officer_absences,
    officers,
    audit_log,
    consent_events,
    consent_messages,
    employer_contacts,
    employer_feedback,
    shortlist,
    employers,
    openings,
    outbox,
    placement_events,
    placements,
    seekers,
    target_changes,
    targets,
    units,
    users,
    web_sessions,
    ranking_log,
    ranking_log_shown
);

diesel::table! {
    process_targets (unit, month, measure) {
        unit -> Text,
        month -> Text,
        measure -> Text,
        target -> Double,
        note -> Nullable<Text>,
        updated_by -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    process_target_changes (id) {
        id -> Text,
        unit -> Text,
        month -> Text,
        measure -> Text,
        target -> Double,
        note -> Nullable<Text>,
        changed_by -> Text,
        changed_at -> BigInt,
    }
}

diesel::table! {
    seeker_returns (id) {
        id -> Text,
        seeker_id -> Text,
        returned_on -> Text,
        recorded_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(process_targets, users);
diesel::allow_tables_to_appear_in_same_query!(process_target_changes, users);
diesel::allow_tables_to_appear_in_same_query!(seeker_returns, seekers);

diesel::table! {
    retention_runs (day) {
        day -> Text,
        erased -> Integer,
        started_at -> BigInt,
        finished_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    imports (id) {
        id -> Text,
        by_user -> Text,
        at -> BigInt,
        format -> Text,
        rows_total -> Integer,
        created -> Integer,
        updated -> Integer,
        failed -> Integer,
        dry_run -> Bool,
        applied -> Bool,
        report -> Text,
    }
}

diesel::table! {
    jobstream_state (feed) {
        feed -> Text,
        position -> Nullable<Text>,
        running_until -> Nullable<BigInt>,
        last_success_at -> Nullable<BigInt>,
        last_error -> Nullable<Text>,
        failures -> Integer,
    }
}

diesel::table! {
    jobstream_runs (id) {
        id -> Text,
        feed -> Text,
        started_at -> BigInt,
        finished_at -> BigInt,
        kind -> Text,
        position_from -> Nullable<Text>,
        position_to -> Nullable<Text>,
        ads -> Integer,
        created -> Integer,
        updated -> Integer,
        unchanged -> Integer,
        closed -> Integer,
        filtered -> Integer,
        malformed -> Integer,
        attempts -> Integer,
        error -> Nullable<Text>,
        problems -> Text,
    }
}

diesel::table! {
    taxonomy_versions (version) {
        version -> BigInt,
        fetched_at -> BigInt,
        source -> Text,
        terms -> Text,
        report -> Text,
    }
}

diesel::table! {
    user_units (user_id, unit) {
        user_id -> Text,
        unit -> Text,
    }
}

diesel::table! {
    plans (id) {
        id -> Text,
        seeker_id -> Text,
        version -> Integer,
        goal -> Text,
        goal_text -> Nullable<Text>,
        occupation -> Nullable<Text>,
        hours_per_week -> Double,
        start_date -> Text,
        review_date -> Text,
        agreed_on -> Nullable<Text>,
        agreed_how -> Nullable<Text>,
        note -> Nullable<Text>,
        by_user -> Text,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        seeker_id -> Text,
        kind -> Text,
        title -> Nullable<Text>,
        placement_id -> Nullable<Text>,
        provider -> Nullable<Text>,
        hours_per_week -> Double,
        weekdays -> Text,
        from_date -> Text,
        to_date -> Nullable<Text>,
        created_by -> Text,
        created_at -> BigInt,
        updated_by -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    attendance (activity_id, day) {
        activity_id -> Text,
        day -> Text,
        seeker_id -> Text,
        state -> Text,
        hours -> Double,
        note -> Nullable<Text>,
        recorded_by -> Text,
        recorded_at -> BigInt,
    }
}

diesel::table! {
    attendance_changes (id) {
        id -> Text,
        activity_id -> Text,
        day -> Text,
        seeker_id -> Text,
        state -> Text,
        hours -> Double,
        note -> Nullable<Text>,
        changed_by -> Text,
        changed_at -> BigInt,
    }
}

diesel::table! {
    declines (id) {
        id -> Text,
        seeker_id -> Text,
        what -> Text,
        ref_id -> Nullable<Text>,
        day -> Text,
        reason -> Nullable<Text>,
        justified -> Bool,
        by_user -> Text,
        recorded_at -> BigInt,
    }
}

diesel::joinable!(attendance -> activities (activity_id));
diesel::allow_tables_to_appear_in_same_query!(plans, users);
diesel::allow_tables_to_appear_in_same_query!(plans, seekers);
diesel::allow_tables_to_appear_in_same_query!(activities, attendance);
diesel::allow_tables_to_appear_in_same_query!(activities, seekers);
diesel::allow_tables_to_appear_in_same_query!(activities, users);
diesel::allow_tables_to_appear_in_same_query!(attendance, seekers);
diesel::allow_tables_to_appear_in_same_query!(attendance, users);
diesel::allow_tables_to_appear_in_same_query!(attendance_changes, users);
diesel::allow_tables_to_appear_in_same_query!(declines, users);
diesel::allow_tables_to_appear_in_same_query!(declines, seekers);

diesel::table! {
    oidc_logins (state_hash) {
        state_hash -> Text,
        purpose -> Text,
        browser_hash -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        next -> Text,
        expires_at -> BigInt,
    }
}

diesel::table! {
    eid_sessions (id_hash) {
        id_hash -> Text,
        personnummer -> Nullable<Text>,
        given_name -> Nullable<Text>,
        family_name -> Nullable<Text>,
        created_at -> BigInt,
        expires_at -> BigInt,
        purpose -> Text,
    }
}

diesel::table! {
    database_identity (id) {
        id -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    sign_in_failures (address, hour) {
        address -> Text,
        hour -> BigInt,
        failures -> Integer,
        last_at -> BigInt,
    }
}

diesel::table! {
    reviews (id) {
        id -> Text,
        seeker_id -> Text,
        unit -> Nullable<Text>,
        about -> Text,
        ref_id -> Nullable<Text>,
        text -> Nullable<Text>,
        created_at -> BigInt,
        due_on -> Text,
        answer -> Nullable<Text>,
        answered_at -> Nullable<BigInt>,
        answered_by -> Nullable<Text>,
    }
}

diesel::allow_tables_to_appear_in_same_query!(reviews, seekers);
diesel::allow_tables_to_appear_in_same_query!(reviews, users);

diesel::table! {
    decisions (application_id) {
        application_id -> Text,
        decided_at -> BigInt,
        outcome -> Text,
        recorded_by -> Text,
        recorded_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(decisions, applications);
diesel::allow_tables_to_appear_in_same_query!(decisions, bookings);
diesel::allow_tables_to_appear_in_same_query!(decisions, officers);
diesel::allow_tables_to_appear_in_same_query!(decisions, seekers);
diesel::joinable!(decisions -> applications (application_id));

diesel::table! {
    daily_matches (opening_id, seeker_id) {
        opening_id -> Text,
        seeker_id -> Text,
        broker_id -> Text,
        day -> Text,
        score -> Double,
        state -> Text,
        dismiss_reason -> Nullable<Text>,
        created_at -> BigInt,
        acted_at -> Nullable<BigInt>,
    }
}

diesel::table! {
    matched_openings (opening_id, day) {
        opening_id -> Text,
        day -> Text,
        matched_at -> BigInt,
    }
}

diesel::allow_tables_to_appear_in_same_query!(daily_matches, seekers);
diesel::allow_tables_to_appear_in_same_query!(daily_matches, openings);

diesel::table! {
    backups (id) {
        id -> Text,
        day -> Nullable<Text>,
        started_at -> BigInt,
        finished_at -> Nullable<BigInt>,
        ok -> Nullable<Bool>,
        file -> Nullable<Text>,
        bytes -> Nullable<BigInt>,
        encrypted -> Bool,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    messages (id) {
        id -> Text,
        idempotency_key -> Text,
        delivery_key -> Text,
        template -> Text,
        channel -> Text,
        recipient -> Text,
        seeker_id -> Nullable<Text>,
        application_id -> Nullable<Text>,
        opening_id -> Nullable<Text>,
        subject -> Nullable<Text>,
        address -> Nullable<Text>,
        body -> Nullable<Text>,
        state -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        gateway_id -> Nullable<Text>,
        next_attempt_at -> BigInt,
        sent_at -> Nullable<BigInt>,
        delivered_at -> Nullable<BigInt>,
        failed_at -> Nullable<BigInt>,
        created_at -> BigInt,
        created_by -> Nullable<Text>,
    }
}

diesel::table! {
    message_attempts (message_id, n) {
        message_id -> Text,
        n -> Integer,
        at -> BigInt,
        outcome -> Text,
        error -> Nullable<Text>,
    }
}

diesel::table! {
    message_templates (key) {
        key -> Text,
        body -> Text,
        updated_at -> BigInt,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    booking_offers (id) {
        id -> Text,
        token_hash -> Text,
        application_id -> Text,
        officer_id -> Text,
        starts_at -> BigInt,
        ends_at -> BigInt,
        state -> Text,
        expires_at -> BigInt,
        created_at -> BigInt,
        answered_at -> Nullable<BigInt>,
    }
}

diesel::joinable!(message_attempts -> messages (message_id));
diesel::allow_tables_to_appear_in_same_query!(messages, message_attempts);
diesel::allow_tables_to_appear_in_same_query!(messages, seekers);
diesel::allow_tables_to_appear_in_same_query!(messages, applications);
diesel::allow_tables_to_appear_in_same_query!(messages, openings);
diesel::allow_tables_to_appear_in_same_query!(booking_offers, applications);
diesel::allow_tables_to_appear_in_same_query!(booking_offers, bookings);
diesel::allow_tables_to_appear_in_same_query!(booking_offers, officers);
