/*
 * Crossport's page in the iframe asks for a fresh plugin token by postMessage when its own session
 * has expired, so the seller's unsaved work survives. Answer it with a token from admin-ajax.php
 * (action crossport_token: nonce and manage_woocommerce checked there), only when the request
 * comes from that iframe at Crossport's origin, and only back to that origin.
 *
 * Config (printed before this script): window.crossportTokenBridge = {origin, ajaxUrl, nonce}.
 * The Crossport page's side of the exchange is static/js/api.js in Crossport.
 */
(function () {
	'use strict';
	var config = window.crossportTokenBridge;
	if ( ! config || ! config.origin || ! config.ajaxUrl ) {
		return;
	}

	function freshToken() {
		var body = new URLSearchParams( { action: 'crossport_token', _ajax_nonce: config.nonce } );
		return fetch( config.ajaxUrl, { method: 'POST', credentials: 'same-origin', body: body } )
			.then( function ( response ) {
				return response.ok ? response.json() : null;
			} )
			.then( function ( answer ) {
				return answer && answer.success && answer.data ? String( answer.data.token || '' ) : '';
			} )
			.catch( function () {
				return '';
			} );
	}

	window.addEventListener( 'message', function ( event ) {
		var frame = document.getElementById( 'crossport-app' );
		var data = event.data || {};
		if ( ! frame || event.source !== frame.contentWindow || event.origin !== config.origin ) {
			return;
		}
		if ( 'crossport:plugin-token-request' !== data.type || 'string' !== typeof data.requestId ) {
			return;
		}
		freshToken().then( function ( token ) {
			// An empty token tells the page at once that wp-admin could not renew (e.g. logged out).
			frame.contentWindow.postMessage(
				{ type: 'crossport:plugin-token', requestId: data.requestId, token: token },
				config.origin
			);
		} );
	} );
}() );
